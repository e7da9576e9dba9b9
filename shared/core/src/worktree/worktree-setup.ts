import type { HookFailure } from './run-checkout-hook.js';
import type { SubmoduleReport } from './init-submodules.js';

/**
 * What preparing a chain's worktree found and did, kept in the status record
 * (`worktree_setup`) and in the dispatch record, with each warning also in the log.
 */
export interface WorktreeSetup {
  action: 'created' | 'reused';
  /** created: the commit the task branch starts from (an existing branch: its tip). */
  base_commit: string | null;
  /** created: task/<slug> already existed (from an earlier worktree) and was continued. */
  branch_reused: boolean;
  /** created: the main checkout had uncommitted changes, which the worktree does not have. */
  main_checkout_dirty: boolean;
  /** created: a registration of our path whose folder was gone was removed first. */
  stale_entry_removed: boolean;
  /** created in a repository with submodules: which were checked out, which were not. */
  submodules: SubmoduleReport | null;
  /** created: the post-checkout hook failed (the worktree is complete nevertheless). */
  hook_failure: HookFailure | null;
  /** One line per thing the user should know, as written to the log. */
  warnings: string[];
}
