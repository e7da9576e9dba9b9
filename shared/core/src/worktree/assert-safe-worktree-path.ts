import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';

const isWithin = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);

const realOrSelf = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * A task's worktree must really be where the configuration says. A committed symlink
 * (`.worktrees -> ~/bin`) would send the worktree — and everything the agent writes —
 * outside the repository, so a symlink that lives inside the repository (a link any
 * commit can bring) is refused anywhere on the way down to the worktree, and the task's
 * own folder is never a symlink. Links outside the repository (`/tmp` on macOS, a home
 * directory on another disk) are the user's own and are followed. Components that do
 * not exist yet are created later as real directories.
 */
export const assertSafeWorktreePath = (repo: string, worktree: string): void => {
  const repoReal = realOrSelf(repo);
  const target = path.resolve(worktree);
  const parts = target.split(path.sep);
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join(path.sep);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch {
      return; // nothing further down exists yet
    }
    if (!stat.isSymbolicLink()) continue;
    const own = i === parts.length;
    if (!own && !isWithin(repoReal, realOrSelf(path.dirname(p)))) continue;
    let to = '?';
    try {
      to = fs.readlinkSync(p);
    } catch {
      // the link went away meanwhile; still refused
    }
    throw new FailureError(
      `${p} is a symbolic link (to ${to})${own ? '' : ' inside the repository'}: a task's worktree must be a real directory at ${target}, not wherever a link points; remove the link or choose another --worktrees-dir`,
      'worktree_unsafe',
      { path: p, link_target: to, worktree: target },
    );
  }
};
