import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';

export interface WorktreeSpec {
  repo: string;
  /** Also kept out of `git status` when inside the repository. */
  stateDir?: string;
  worktree: string;
  branch: string;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

// node:child_process, not execa: importing execa costs ~80 ms, and this runs on the
// path from dispatch to a running worker (docs/decisions.md).
const runGit = (cwd: string, args: string[]): Promise<GitResult> =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() || (error && typeof error.code !== 'number' ? error.message : '') });
    });
  });

const git = async (cwd: string, args: string[]): Promise<string> => {
  const result = await runGit(cwd, args);
  if (result.code !== 0) {
    throw new FailureError(`git ${args.join(' ')} failed: ${result.stderr || `exit ${result.code}`}`, 'git_failed', { cwd });
  }
  return result.stdout;
};

const realpath = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};

/** Keeps a directory (worktrees, state) out of `git status` when it lies inside the repository. */
export const excludeFromStatus = async (repo: string, dir: string): Promise<void> => {
  const relative = path.relative(realpath(repo), realpath(dir));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return;
  const commonDir = path.resolve(repo, await git(repo, ['rev-parse', '--git-common-dir']));
  const exclude = path.join(commonDir, 'info', 'exclude');
  const line = `/${relative.split(path.sep).join('/')}/`;
  const current = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : '';
  if (current.split('\n').includes(line)) return;
  fs.mkdirSync(path.dirname(exclude), { recursive: true });
  fs.appendFileSync(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
};

const isWorktreeOf = async (repo: string, dir: string): Promise<boolean> => {
  const list = await git(repo, ['worktree', 'list', '--porcelain']);
  const target = realpath(dir);
  return list.split('\n').some((line) => line.startsWith('worktree ') && realpath(line.slice('worktree '.length)) === target);
};

const branchExists = async (repo: string, branch: string): Promise<boolean> =>
  (await runGit(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).code === 0;

/**
 * `<worktrees dir>/<slug>` on branch `task/<slug>`: reused when it is already a worktree
 * of this repository, created from HEAD when missing (or from the existing branch), and
 * a clear error when something else is in the way.
 */
export const ensureWorktree = async (spec: WorktreeSpec): Promise<'created' | 'reused'> => {
  const { repo, worktree, branch } = spec;
  const parent = path.dirname(worktree);
  fs.mkdirSync(parent, { recursive: true });
  await excludeFromStatus(repo, parent);
  if (spec.stateDir) await excludeFromStatus(repo, spec.stateDir);
  if (fs.existsSync(worktree)) {
    if (await isWorktreeOf(repo, worktree)) return 'reused';
    throw new FailureError(
      `${worktree} exists but is not a worktree of ${repo}; move it away or choose another --worktrees-dir`,
      'worktree_conflict',
      { worktree },
    );
  }
  // A worktree whose directory was deleted by hand is still registered; prune it first.
  await git(repo, ['worktree', 'prune']);
  const args = (await branchExists(repo, branch))
    ? ['worktree', 'add', worktree, branch]
    : ['worktree', 'add', '-b', branch, worktree, 'HEAD'];
  await git(repo, args);
  return 'created';
};
