import fs from 'node:fs';
import path from 'node:path';
import { realPathOrAsIs } from '../fsx/real-path.js';
import { FailureError } from '../errors/errors.js';
import { createWorktree } from './create-worktree.js';
import { keepOutOfIndex } from './keep-out-of-index.js';
import { git } from './run-git.js';
import { registeredWorktree } from './git-files.js';
import { parseWorktreeList } from './parse-worktree-list.js';
import { assertSafeWorktreePath } from './assert-safe-worktree-path.js';
import type { WorktreeSetup } from './worktree-setup.js';

export interface WorktreeSpec {
  /** The main checkout. */
  repo: string;
  /** Also kept out of `git status` when inside the repository. */
  stateDir?: string;
  worktree: string;
  branch: string;
  /** The commit a new task branch starts from (dispatch --base); default the main checkout's HEAD. */
  base?: string | null;
  /** The task's log: what the user should know is appended there as `task-manager:` lines. */
  log?: string;
}


/** The main checkout's git directory: `<repo>/.git` when it is one (no git process), else git's answer. */
const gitCommonDir = async (repo: string): Promise<string> => {
  const dotGit = path.join(repo, '.git');
  try {
    if (fs.lstatSync(dotGit).isDirectory()) return dotGit;
  } catch {
    // not there: ask git
  }
  return path.resolve(repo, await git(repo, ['rev-parse', '--git-common-dir']));
};

const isWorktreeOf = async (repo: string, commonDir: string, dir: string): Promise<boolean> => {
  if (registeredWorktree(commonDir, dir)) return true;
  const target = realPathOrAsIs(dir);
  return parseWorktreeList(await git(repo, ['worktree', 'list', '--porcelain'])).some((e) => realPathOrAsIs(e.path) === target);
};

const REUSED: WorktreeSetup = {
  action: 'reused',
  base_commit: null,
  branch_reused: false,
  main_checkout_dirty: false,
  stale_entry_removed: false,
  submodules: null,
  hook_failure: null,
  warnings: [],
};

/**
 * `<worktrees dir>/<slug>` on branch `task/<slug>`: reused when it is already a worktree
 * of this repository, created when missing (see createWorktree), refused when something
 * else is in the way or the path leads through a symlink in the repository. The
 * worktrees and state directories are kept out of the user's index.
 */
export const ensureWorktree = async (spec: WorktreeSpec): Promise<WorktreeSetup> => {
  const { repo, worktree } = spec;
  assertSafeWorktreePath(repo, worktree);
  const parent = path.dirname(worktree);
  fs.mkdirSync(parent, { recursive: true });
  const commonDir = await gitCommonDir(repo);
  // Independent git calls run side by side: this is on the path from dispatch to a running worker.
  await Promise.all([parent, ...(spec.stateDir ? [spec.stateDir] : [])].map((dir) => keepOutOfIndex(repo, dir, commonDir)));
  if (fs.existsSync(worktree)) {
    if (await isWorktreeOf(repo, commonDir, worktree)) return { ...REUSED, warnings: [] };
    throw new FailureError(
      `${worktree} exists but is not a worktree of ${repo}; move it away or choose another --worktrees-dir`,
      'worktree_conflict',
      { worktree },
    );
  }
  const setup = await createWorktree(spec);
  if (spec.log) {
    const lines = [
      `created worktree ${worktree} on ${spec.branch} at ${setup.base_commit}`,
      ...(setup.stale_entry_removed ? [`removed the stale registration of ${worktree} (its folder had been deleted)`] : []),
      ...(setup.submodules?.initialized.length ? [`submodules checked out from the main checkout's copies: ${setup.submodules.initialized.join(', ')}`] : []),
      ...setup.warnings.map((w) => `warning: ${w}`),
    ];
    fs.appendFileSync(spec.log, lines.map((l) => `task-manager: worktree: ${l}\n`).join(''));
  }
  return setup;
};
