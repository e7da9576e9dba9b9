import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { realPathIfAny } from './real-path.js';
import { UnsafeStateDirError, UnsafeStateFileError } from '../errors/state-errors.js';

// One `git ls-files` per state directory per process (~4 ms): a set lookup per file after.
const cache = new Map<string, ReadonlySet<string>>();

/**
 * Set by dispatch (and hb-tick, continue) for the supervisor it starts, to the state
 * directory it has just listed with nothing tracked: the supervisor, on the path from
 * dispatch to a running worker, then spares itself the same git call. Workers never
 * inherit it (spawn-worker removes it), so a tool run by an agent lists again.
 */
export const UNTRACKED_ENV = 'TASK_MANAGER_STATE_UNTRACKED';

/** The environment entry that passes "nothing tracked in `dir`" on to a child, if this process found that. */
export const untrackedHandOver = (dir: string): Record<string, string> => (cache.get(dir)?.size === 0 ? { [UNTRACKED_ENV]: dir } : {});

const NOT_A_REPO = /not a git repository|cannot change to/i;

/**
 * No `.git` in `dir` (its real path, as git sees it) or any directory above it, and no
 * GIT_DIR: git would find no repository, so none is started to say so (~5 ms of a
 * snapshot, and node's child_process module). Anything else is git's to answer.
 */
const outsideAnyRepository = (dir: string): boolean => {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return false;
  let at = realPathIfAny(dir);
  if (at === undefined) return false;
  for (;;) {
    if (fs.existsSync(path.join(at, '.git'))) return false;
    const up = path.dirname(at);
    if (up === at) return true;
    at = up;
  }
};

const listTracked = (dir: string): ReadonlySet<string> => {
  if (outsideAnyRepository(dir)) return new Set();
  try {
    const out = execFileSync('git', ['-C', dir, 'ls-files', '-z', '--', '.'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    return new Set(out.split('\0').filter(Boolean));
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: unknown };
    // No git at all, or a state directory outside any repository: nothing can be tracked.
    if (e.code === 'ENOENT') return new Set();
    const stderr = String(e.stderr ?? '').trim();
    if (NOT_A_REPO.test(stderr)) return new Set();
    throw new UnsafeStateDirError(dir, `cannot be checked for files git tracks (git ls-files: ${stderr || e.message})`, 'fix the repository, or use a --state-dir outside it');
  }
};

/** The paths git tracks under `dir`, relative to it (from the index: what a pull or checkout writes). */
export const trackedPaths = (dir: string): ReadonlySet<string> => {
  let found = cache.get(dir);
  if (!found) {
    found = process.env[UNTRACKED_ENV] === dir ? new Set<string>() : listTracked(dir);
    cache.set(dir, found);
  }
  return found;
};

/** True when git tracks `file` itself, or (for a lock directory) anything under it. */
export const isTracked = (file: string): boolean => {
  const tracked = trackedPaths(path.dirname(file));
  if (tracked.size === 0) return false;
  const name = path.basename(file);
  if (tracked.has(name)) return true;
  for (const entry of tracked) if (entry.startsWith(`${name}/`)) return true;
  return false;
};

/**
 * Forgets what was listed, so the next check runs git again. A long-running loop calls
 * it once per cycle: a `git pull` between two ticks may have added files.
 */
export const forgetTrackedPaths = (): void => cache.clear();

/** Refuses what git tracks: a state file comes from the tools, never from a commit. */
export const refuseTracked = (file: string): void => {
  if (isTracked(file)) {
    throw new UnsafeStateFileError(
      file,
      'is tracked by git (state files are written by the tools, never taken from a commit or a pull)',
      `untrack and remove it: git rm -r --cached -- ${file} && rm -rf -- ${file}; keep the state directory out of git`,
    );
  }
};
