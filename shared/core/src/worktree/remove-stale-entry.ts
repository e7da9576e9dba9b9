import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';
import { git } from './run-git.js';
import { parseWorktreeList, type WorktreeEntry } from './parse-worktree-list.js';

const realParent = (p: string): string => {
  try {
    return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
  } catch {
    return path.resolve(p);
  }
};

/**
 * A task worktree whose folder was deleted by hand is still registered, and `git
 * worktree add` refuses its path (and its branch) until the registration goes. Only
 * that one registration is removed — its admin directory, `$GIT_COMMON_DIR/worktrees/<id>`,
 * found by its `gitdir` file pointing at our path. `git worktree prune` is never run: it
 * would also delete the registrations of the user's other worktrees whose folders are
 * missing for a moment (a disk not mounted, a folder being moved), losing them.
 * Returns whether an entry was removed. `listed`: `git worktree list` already read.
 */
export const removeStaleEntry = async (repo: string, worktree: string, listed?: WorktreeEntry[]): Promise<boolean> => {
  const target = realParent(worktree);
  const entries = listed ?? parseWorktreeList(await git(repo, ['worktree', 'list', '--porcelain']));
  const entry = entries.find((e) => realParent(e.path) === target);
  if (!entry) return false;
  if (fs.existsSync(worktree)) return false;
  if (entry.locked) {
    throw new FailureError(
      `${worktree} is registered as a locked worktree whose folder is missing; bring the folder back, or \`git worktree unlock ${worktree}\` and dispatch again`,
      'worktree_locked',
      { worktree },
    );
  }
  // Only what git itself calls prunable: its folder (or the folder's .git) is gone.
  if (!entry.prunable) return false;
  const commonDir = path.resolve(repo, await git(repo, ['rev-parse', '--git-common-dir']));
  const adminRoot = path.join(commonDir, 'worktrees');
  let names: string[] = [];
  try {
    names = fs.readdirSync(adminRoot);
  } catch {
    return false;
  }
  let removed = false;
  for (const name of names) {
    let gitdir: string;
    try {
      gitdir = fs.readFileSync(path.join(adminRoot, name, 'gitdir'), 'utf8').trim();
    } catch {
      continue;
    }
    // gitdir holds "<worktree>/.git" (absolute, or relative to the admin directory).
    const registered = path.dirname(path.resolve(adminRoot, name, gitdir));
    if (realParent(registered) !== target) continue;
    fs.rmSync(path.join(adminRoot, name), { recursive: true, force: true });
    removed = true;
  }
  return removed;
};
