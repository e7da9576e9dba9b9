import fs from 'node:fs';
import path from 'node:path';
import { entryExists, openStateFile } from '../fsx/safe-open.js';
import { isTracked } from '../fsx/tracked-files.js';
import { isAlive, selfIdentity, type Identity } from '../liveness/identity.js';
import { FILE_PREFIX, type SlugPaths } from '../paths/state-paths.js';
import { LOCK_STALE_MS } from './critical-section.js';

// How many past fence files to keep: a process frozen (SIGSTOP) in the middle of a
// claim finds its fence number already taken unless this many claims passed meanwhile.
const KEEP = 64;

const fenceFile = (paths: SlugPaths, n: number) => `${paths.fencePrefix}${n}`;
const FENCE_MARK = '.fence-';

/**
 * Takes fence number `n` for a slug by creating `dispatch-<slug>.fence-<n>` with
 * O_EXCL. Exactly one process can create it, whatever happened to the lock, so two
 * processes that both believe they hold the lock (proper-lockfile#121) cannot both
 * claim. The file holds the claimer's identity.
 */
export const takeFence = (paths: SlugPaths, n: number): boolean => {
  let fd: number;
  try {
    fd = openStateFile(fenceFile(paths, n), 'create');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(selfIdentity())}\n`);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(fenceFile(paths, n - KEEP), { force: true });
  return true;
};

/** True when a later claim than `n` has been made (any entry by that name counts). */
export const fenceSuperseded = (paths: SlugPaths, n: number): boolean => entryExists(fenceFile(paths, n + 1));

/** A fence file's claimer, and how long ago the file was written. */
const readFence = (file: string): { owner: Identity | undefined; ageMs: number } | undefined => {
  let fd: number;
  try {
    fd = openStateFile(file, 'read');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error; // a link, a foreign or committed file: refused with its own clear line
  }
  try {
    const ageMs = Date.now() - fs.fstatSync(fd).mtimeMs;
    try {
      return { owner: JSON.parse(fs.readFileSync(fd, 'utf8')) as Identity, ageMs };
    } catch {
      return { owner: undefined, ageMs }; // torn by a crash mid-write: its writer is gone
    }
  } finally {
    fs.closeSync(fd);
  }
};

/**
 * The fence number a new claim should take, starting after the status's. A fence file
 * beyond it means a claim whose status was never written. If its claimer died (killed
 * between the fence and the status write, or the write failed), that number is skipped.
 * If its claimer lives and the file is younger than the lock's stale time, a claim is
 * in progress (undefined: the caller must refuse). A live claimer's fence older than
 * that is skipped too: we hold the lock now, so that claimer lost it (frozen past the
 * stale time), or the file names a process that never claimed at all (a fence holding
 * pid 1's identity would otherwise block the task forever). Skipping is safe: a claimer
 * that wakes up finds its fence superseded at its next locked check and stops.
 */
export const nextFence = (paths: SlugPaths, statusFence: number): number | undefined => {
  let n = statusFence + 1;
  for (;;) {
    const fence = readFence(fenceFile(paths, n));
    if (!fence) return n;
    const { owner, ageMs } = fence;
    if (owner && owner.pid !== process.pid && ageMs <= LOCK_STALE_MS && isAlive(owner)) return undefined;
    n += 1;
  }
};

/** A fence file found in the state directory: its name and number (NaN: not a fence number). */
export interface FenceFile {
  name: string;
  n: number;
}

/**
 * The fence files in a directory listing, by slug. The slug is everything before the
 * last `.fence-`, so a slug that itself contains `.fence-` keeps its own files.
 */
export const fenceFilesBySlug = (names: readonly string[]): Map<string, FenceFile[]> => {
  const bySlug = new Map<string, FenceFile[]>();
  for (const name of names) {
    if (!name.startsWith(FILE_PREFIX)) continue;
    const mark = name.lastIndexOf(FENCE_MARK);
    if (mark <= FILE_PREFIX.length) continue;
    const slug = name.slice(FILE_PREFIX.length, mark);
    const suffix = name.slice(mark + FENCE_MARK.length);
    const n = /^[1-9][0-9]{0,14}$/.test(suffix) ? Number(suffix) : NaN;
    const list = bySlug.get(slug) ?? [];
    list.push({ name, n });
    bySlug.set(slug, list);
  }
  return bySlug;
};

/**
 * Removes a slug's fence files that no claim can need: numbers more than KEEP below the
 * status's fence (the window a frozen claimer may still depend on stays), and names
 * that are not fence numbers at all. A link is removed, never followed; a file git
 * tracks is left for its clear refusal. Returns how many were removed.
 */
export const sweepFences = (stateDir: string, files: readonly FenceFile[], statusFence: number): number => {
  let removed = 0;
  for (const { name, n } of files) {
    if (!Number.isNaN(n) && n > statusFence - KEEP) continue;
    const file = path.join(stateDir, name);
    if (isTracked(file)) continue;
    try {
      fs.rmSync(file, { force: true });
      removed += 1;
    } catch {
      // A directory under a fence's name: not ours to delete recursively.
    }
  }
  return removed;
};
