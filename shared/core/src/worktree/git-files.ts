import fs from 'node:fs';
import path from 'node:path';
import { realPathIfAny } from '../fsx/real-path.js';

// Two answers on the path from dispatch to a running worker, read from the files git
// itself reads instead of asked of a git process (each one ~4 ms: docs/decisions.md,
// "Round four"). Each answers only when the files say so plainly; undefined sends the
// caller to git (a main checkout, a detached HEAD, packed or reftable refs, odd content).

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The git directory a linked worktree's `.git` file names (`gitdir: PATH`, absolute or relative). */
const linkedGitDir = (worktree: string): string | undefined => {
  const m = /^gitdir: (.+?)\r?\n?$/.exec(read(path.join(worktree, '.git')) ?? '');
  return m ? path.resolve(worktree, m[1] as string) : undefined;
};

/**
 * True when `worktree` is a linked worktree registered in `commonDir` under its own path,
 * which is what `git worktree list` reports: its `.git` file names
 * `<commonDir>/worktrees/<name>`, whose `gitdir` file names this `.git` back.
 */
export const registeredWorktree = (commonDir: string, worktree: string): true | undefined => {
  const gitDir = linkedGitDir(worktree);
  if (gitDir === undefined) return undefined;
  const registry = realPathIfAny(path.join(commonDir, 'worktrees'));
  if (registry === undefined || realPathIfAny(path.dirname(gitDir)) !== registry) return undefined;
  const back = read(path.join(gitDir, 'gitdir'))?.trim();
  if (!back) return undefined;
  const self = realPathIfAny(path.join(worktree, '.git'));
  return self !== undefined && realPathIfAny(path.resolve(gitDir, back)) === self ? true : undefined;
};

/**
 * A linked worktree's HEAD when it is on a branch whose ref is a loose file: the commit
 * and the full ref name, what `git rev-parse HEAD --symbolic-full-name HEAD` prints.
 */
export const branchHead = (worktree: string): { commit: string; ref: string } | undefined => {
  const gitDir = linkedGitDir(worktree);
  if (gitDir === undefined) return undefined;
  const ref = /^ref: (refs\/heads\/[^\s]+)\r?\n?$/.exec(read(path.join(gitDir, 'HEAD')) ?? '')?.[1];
  const common = read(path.join(gitDir, 'commondir'))?.trim();
  if (ref === undefined || !common || ref.split('/').some((part) => part === '..' || part === '.')) return undefined;
  const commit = read(path.join(path.resolve(gitDir, common), ref))?.trim();
  return commit !== undefined && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit) ? { commit, ref } : undefined;
};
