import { runGit } from './run-git.js';

/**
 * A task's branch shared through one remote, when several hosts (each with its own
 * clone) work one queue: the host that runs a task starts from the branch as the remote
 * has it, and pushes it back after every run, leased on what the remote had when the run
 * started — so a stale holder's push (a host cut off, whose task another host took)
 * fails instead of overwriting newer work.
 */

export interface BranchSync {
  /** What the remote had for the branch when the run started (null: no such branch there). */
  remote_commit: string | null;
  /** Local commits the remote did not have and that a newer holder's work replaced: kept under this ref. */
  kept_as?: string;
  note?: string;
}

const remoteRef = (remote: string, branch: string) => `refs/remotes/${remote}/${branch}`;

/** The remote exists in this clone (a clone without one shares nothing: nothing to do). */
export const hasRemote = async (repo: string, remote: string): Promise<boolean> => (await runGit(repo, ['remote', 'get-url', remote])).code === 0;

/**
 * Before a run, in the task's worktree (clean, on its branch): fetch the branch; if the
 * remote is ahead, fast-forward to it; if the two diverged (this host's last work never
 * reached the remote, and another host went on from the remote's), the remote wins and
 * the local commits are kept under refs/task-manager/kept/<branch>/<commit>.
 */
export const syncFromRemote = async (worktree: string, branch: string, remote: string): Promise<BranchSync> => {
  const fetched = await runGit(worktree, ['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${remoteRef(remote, branch)}`]);
  if (fetched.code !== 0) {
    if (/couldn't find remote ref|no such ref/i.test(fetched.stderr)) return { remote_commit: null };
    throw new Error(`git fetch ${remote} ${branch} failed: ${fetched.stderr || `exit ${fetched.code}`}`);
  }
  const theirs = (await runGit(worktree, ['rev-parse', '--verify', '--quiet', remoteRef(remote, branch)])).stdout;
  const ours = (await runGit(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD'])).stdout;
  if (!theirs || theirs === ours) return { remote_commit: theirs || null };
  const isAncestor = async (a: string, b: string) => (await runGit(worktree, ['merge-base', '--is-ancestor', a, b])).code === 0;
  if (await isAncestor(theirs, ours)) return { remote_commit: theirs, note: `${branch} here is ahead of ${remote} (work not pushed yet): kept` };
  if (!(await isAncestor(ours, theirs))) {
    const kept = `refs/task-manager/kept/${branch}/${ours}`;
    await runGit(worktree, ['update-ref', kept, ours]);
    const reset = await runGit(worktree, ['reset', '--hard', '--quiet', theirs]);
    if (reset.code !== 0) throw new Error(`cannot move ${branch} to ${remote}'s ${theirs.slice(0, 10)}: ${reset.stderr}`);
    return { remote_commit: theirs, kept_as: kept, note: `${branch} here had diverged from ${remote}: took ${remote}'s ${theirs.slice(0, 10)}, kept this host's ${ours.slice(0, 10)} as ${kept}` };
  }
  const ff = await runGit(worktree, ['merge', '--ff-only', '--quiet', theirs]);
  if (ff.code !== 0) throw new Error(`cannot fast-forward ${branch} to ${remote}'s ${theirs.slice(0, 10)}: ${ff.stderr}`);
  return { remote_commit: theirs, note: `${branch} fast-forwarded to ${remote}'s ${theirs.slice(0, 10)}` };
};

/**
 * After a run: push the branch, leased on `expected` (what the remote had when the run
 * started; null: the branch must not exist there yet). Refused when the remote moved
 * meanwhile — another holder pushed — so a stale holder never overwrites newer work.
 */
export const pushToRemote = async (worktree: string, branch: string, remote: string, expected: string | null): Promise<{ pushed: boolean; reason?: string }> => {
  const lease = `--force-with-lease=refs/heads/${branch}:${expected ?? ''}`;
  const pushed = await runGit(worktree, ['push', '--quiet', '--porcelain', lease, remote, `refs/heads/${branch}:refs/heads/${branch}`]);
  if (pushed.code === 0) return { pushed: true };
  // --porcelain: the refused ref's line starts with "!" and says why ("[rejected] (stale info)").
  const refused = pushed.stdout.split('\n').find((line) => line.startsWith('!'));
  const why = refused ? refused.split('\t').slice(2).join(' ') : pushed.stderr.split('\n').filter(Boolean).at(-1);
  return { pushed: false, reason: `git push to ${remote} refused ${branch}: ${why || `exit ${pushed.code}`}` };
};
