import { runGit } from './run-git.js';

const NULL_COMMIT = '0000000000000000000000000000000000000000';

export interface HookFailure {
  hook: 'post-checkout';
  exit_code: number;
  /** What the hook printed (its last 2000 characters). */
  output: string;
}

/**
 * The post-checkout hook `git worktree add` would run, with the same arguments, run by
 * us after our own checkout: so that a failing hook (husky, a git-lfs hook without
 * git-lfs) is told apart from a failed checkout. The worktree is complete either way;
 * the failure is returned for the log and the record, and the run goes on.
 */
export const runCheckoutHook = async (worktree: string, head: string): Promise<HookFailure | null> => {
  const r = await runGit(worktree, ['hook', 'run', '--ignore-missing', 'post-checkout', '--', NULL_COMMIT, head, '1']);
  if (r.code === 0) return null;
  const output = [r.stdout, r.stderr].filter(Boolean).join('\n');
  return { hook: 'post-checkout', exit_code: r.code, output: output.length > 2000 ? output.slice(-2000) : output };
};
