import fs from 'node:fs';
import { FailureError } from '../errors/errors.js';
import { initSubmodules } from './init-submodules.js';
import { removeStaleEntry } from './remove-stale-entry.js';
import { runCheckoutHook } from './run-checkout-hook.js';
import { parseWorktreeList } from './parse-worktree-list.js';
import { git, runGit } from './run-git.js';
import type { WorktreeSetup } from './worktree-setup.js';

const short = (commit: string) => commit.slice(0, 10);
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' | ').trim();

/** What `git status` shows in the main checkout: changes a new worktree will not have. */
const uncommitted = async (repo: string): Promise<string[]> => {
  // -z: entries are "XY path" (a rename is followed by its old path) and never quoted.
  const r = await runGit(repo, ['status', '--porcelain', '-z']);
  if (r.code !== 0) return [];
  const items = r.stdout.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as string;
    if (item.length < 4) continue;
    paths.push(item.slice(3));
    if (item[0] === 'R' || item[0] === 'C') i += 1;
  }
  return paths;
};

/**
 * Adds the worktree `worktree` on `branch` — a new branch from `base` (default the main
 * checkout's HEAD), or the existing branch as it is — and says what the user should know:
 * a reused branch, changes in the main checkout that are not carried over, a failing
 * post-checkout hook, submodules that could not be checked out.
 *
 * The checkout is ours (`worktree add --no-checkout`, then `reset --hard`), and the
 * post-checkout hook runs after it: a checkout that fails is rolled back and fails the
 * start; a hook that fails is a warning, because the worktree is complete.
 */
export const createWorktree = async (spec: { repo: string; worktree: string; branch: string; base?: string | null }): Promise<WorktreeSetup> => {
  const { repo, worktree, branch } = spec;
  const warnings: string[] = [];
  // Independent git calls run side by side: this is on the path from dispatch to a running worker.
  const [listed, existing, changes] = await Promise.all([
    git(repo, ['worktree', 'list', '--porcelain']).then(parseWorktreeList),
    runGit(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]),
    uncommitted(repo),
  ]);
  // git lists the main checkout first.
  const mainHead = listed[0]?.head ?? '';
  if (!/^[0-9a-f]+$/.test(mainHead) || /^0+$/.test(mainHead)) {
    throw new FailureError(`the main checkout ${repo} has no commit to start a task branch from; commit something first`, 'no_commit', { repo });
  }
  const staleEntryRemoved = await removeStaleEntry(repo, worktree, listed);
  const branchReused = existing.code === 0 && existing.stdout !== '';
  let base: string;
  if (branchReused) {
    base = existing.stdout;
    const ahead = await git(repo, ['rev-list', '--count', `${mainHead}..${base}`]);
    const from = spec.base ? `--base ${short(spec.base)}` : `the main checkout's HEAD (${short(mainHead)})`;
    warnings.push(
      `branch ${branch} already existed (at ${short(base)}, ${ahead} commit(s) not in the main checkout's HEAD): the worktree continues it instead of a new branch from ${from}; to start fresh, delete it first (git branch -D ${branch})`,
    );
  } else {
    base = spec.base ?? mainHead;
  }
  const mainCheckoutDirty = changes.length > 0;
  if (mainCheckoutDirty) {
    const shown = changes.slice(0, 5).join(', ') + (changes.length > 5 ? ', …' : '');
    warnings.push(`the main checkout has uncommitted changes (${changes.length} path(s): ${shown}); they are not in the worktree, which has only what is committed at ${short(base)}`);
  }
  await git(repo, ['worktree', 'add', '--no-checkout', ...(branchReused ? [worktree, branch] : ['-b', branch, worktree, base])]);
  const checkout = await runGit(worktree, ['reset', '--hard', '--quiet', '--no-recurse-submodules']);
  if (checkout.code !== 0) {
    // Half a checkout must not be "reused" by the next dispatch: take it all back.
    fs.rmSync(worktree, { recursive: true, force: true });
    await removeStaleEntry(repo, worktree);
    if (!branchReused) await runGit(repo, ['branch', '-D', branch]);
    throw new FailureError(`checking out ${branch} in ${worktree} failed: ${oneLine(checkout.stderr) || `exit ${checkout.code}`}`, 'checkout_failed', { worktree });
  }
  const hookFailure = await runCheckoutHook(worktree, base);
  if (hookFailure) {
    warnings.push(`the post-checkout hook exited ${hookFailure.exit_code}; the worktree is complete and the run goes on. Hook output: ${oneLine(hookFailure.output) || '(none)'}`);
  }
  const submodules = fs.existsSync(`${worktree}/.gitmodules`) ? await initSubmodules(repo, worktree) : null;
  for (const missing of submodules?.missing ?? []) {
    warnings.push(`submodule ${missing.path} is NOT checked out in the worktree: ${missing.reason}`);
  }
  return {
    action: 'created',
    base_commit: base,
    branch_reused: branchReused,
    main_checkout_dirty: mainCheckoutDirty,
    stale_entry_removed: staleEntryRemoved,
    submodules,
    hook_failure: hookFailure,
    warnings,
  };
};
