import fs from 'node:fs';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../time/clock.js';
import { runGit } from '../worktree/run-git.js';

export interface PruneRecord {
  type: 'prune';
  slug: string;
  action: 'removed' | 'would_remove' | 'skipped';
  reason: string;
  worktree: string | null;
  branch: string | null;
  base: string | null;
  dry_run: boolean;
  ts: string;
}

/** The branch `base` names, else the main checkout's HEAD branch (what "merged" is measured against). */
export const pruneBase = async (repo: string, base: string | undefined): Promise<string> => {
  if (base) return base;
  const head = await runGit(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return head.code === 0 && head.stdout ? head.stdout : 'HEAD';
};

/**
 * Removes a finished task's worktree and its local branch, when and only when the work
 * is safe elsewhere: the run is over (done or held — never a live or orphaned worker),
 * the branch is merged into `base`, and the worktree has no changes of its own. git
 * itself refuses the rest (`worktree remove` without --force, `branch -d`).
 */
export const pruneTask = async (store: Store, slug: string, options: { base?: string; dryRun: boolean }): Promise<PruneRecord> => {
  const status = await store.readStatus(slug);
  const spec = status?.spec ?? null;
  const record = (action: PruneRecord['action'], reason: string, base: string | null = null): PruneRecord => ({
    type: 'prune', slug, action, reason, worktree: spec?.worktree ?? null, branch: spec?.branch ?? null, base, dry_run: options.dryRun, ts: nowIso(),
  });
  if (!status || !spec) return record('skipped', 'never ran: no worktree of ours');
  const state = deriveDispatchState(status);
  if (isHolding(state)) return record('skipped', `a worker is ${state}: never pruned`);
  const over = (state === 'exited' && status.outcome === 'ok') || Boolean(status.held);
  if (!over) return record('skipped', `its last run ended ${status.outcome ?? state}: not done, and not held`);
  const base = await pruneBase(spec.repo, options.base);
  const merged = await runGit(spec.repo, ['merge-base', '--is-ancestor', `refs/heads/${spec.branch}`, base]);
  const branchExists = (await runGit(spec.repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${spec.branch}`])).code === 0;
  if (branchExists && merged.code !== 0) return record('skipped', `${spec.branch} is not merged into ${base}`, base);
  const present = fs.existsSync(spec.worktree);
  if (present) {
    const dirty = await runGit(spec.worktree, ['status', '--porcelain', '--untracked-files=normal']);
    if (dirty.code !== 0 || dirty.stdout !== '') return record('skipped', `${spec.worktree} has changes of its own (git status is not clean)`, base);
  }
  if (!present && !branchExists) return record('skipped', 'nothing left to remove', base);
  if (options.dryRun) return record('would_remove', `${spec.branch} is merged into ${base}`, base);
  // Under the task's lock: no dispatch can claim the worktree while it goes away.
  return store.withTask(slug, async ({ status: now }) => {
    if (now && isHolding(deriveDispatchState(now))) return record('skipped', 'a worker started meanwhile: left alone', base);
    if (present) {
      const removed = await runGit(spec.repo, ['worktree', 'remove', spec.worktree]);
      if (removed.code !== 0) return record('skipped', `git worktree remove refused: ${removed.stderr}`, base);
    }
    if (branchExists) {
      const deleted = await runGit(spec.repo, ['branch', '-d', spec.branch]);
      if (deleted.code !== 0) return record('skipped', `git branch -d refused: ${deleted.stderr}`, base);
    }
    return record('removed', `${spec.branch} is merged into ${base}`, base);
  });
};
