import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';
import { git, runGit } from './run-git.js';
import { branchHead } from './git-files.js';

/** What a run starts from: recorded in the status and the run_started history event. */
export interface RunWorktree {
  branch: string;
  base_commit: string;
}

// Files in a worktree's git directory while an operation is half done.
const IN_PROGRESS: Record<string, string> = {
  'rebase-merge': 'rebase',
  'rebase-apply': 'rebase or am',
  MERGE_HEAD: 'merge',
  CHERRY_PICK_HEAD: 'cherry-pick',
  REVERT_HEAD: 'revert',
  BISECT_LOG: 'bisect',
};

const refuse = (worktree: string, branch: string, where: string, problem: string, todo: string, details: Record<string, unknown>) =>
  new FailureError(
    `the worktree ${worktree} is ${where}, not on ${branch}, and ${problem}; the run was not started. ${todo}, then dispatch again`,
    'worktree_wrong_branch',
    { worktree, branch, ...details },
  );

/**
 * Before each run: the worktree must be on the task's branch. The agent (or a person)
 * may have switched it (`git checkout -b other`, a detached HEAD), and a run there
 * would work on, and commit to, the wrong branch. A clean worktree is switched back (and
 * the log says so); one with uncommitted changes, an operation in progress, or
 * detached commits no branch holds is refused with what it is on and what to do.
 */
export const prepareRunWorktree = async (spec: { worktree: string; branch: string }, log?: string): Promise<RunWorktree> => {
  const { worktree, branch } = spec;
  if (!fs.existsSync(worktree)) {
    throw new FailureError(`the worktree ${worktree} is gone; the run was not started. Dispatch the task again to create it anew`, 'worktree_missing', { worktree });
  }
  // On the path of every run: the commit, then the branch ("HEAD" when detached), from
  // git's files when they say so plainly, else from one git call.
  const read = branchHead(worktree);
  const [commit = '', ref = ''] = read ? [read.commit, read.ref] : (await git(worktree, ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'])).split('\n');
  const current = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  if (current === branch) return { branch, base_commit: commit };

  const where = current === null ? `at a detached HEAD (${commit.slice(0, 10)})` : `on branch ${current}`;
  const details = { current_branch: current, head: commit };
  const gitDir = await git(worktree, ['rev-parse', '--absolute-git-dir']);
  const busy = Object.keys(IN_PROGRESS).find((name) => fs.existsSync(path.join(gitDir, name)));
  if (busy) {
    throw refuse(worktree, branch, where, `has a ${IN_PROGRESS[busy]} in progress`, `Finish or abort it there (git -C ${worktree} status says how) and \`git -C ${worktree} switch ${branch}\``, details);
  }
  const changes = await git(worktree, ['status', '--porcelain']);
  if (changes !== '') {
    throw refuse(worktree, branch, where, 'has uncommitted changes', `Commit or stash them there and \`git -C ${worktree} switch ${branch}\``, details);
  }
  if (current === null) {
    // Switching away from a detached HEAD would leave its own commits reachable by no branch.
    const orphans = Number(await git(worktree, ['rev-list', '--count', 'HEAD', '--not', '--branches']));
    if (orphans > 0) {
      throw refuse(worktree, branch, where, `has ${orphans} commit(s) that are on no branch`, `Keep them (\`git -C ${worktree} branch NAME\`, or merge them into ${branch}) and \`git -C ${worktree} switch ${branch}\``, details);
    }
  }
  const switched = await runGit(worktree, ['switch', '--no-guess', branch]);
  // Checked, not trusted: a failing post-checkout hook fails `git switch` after it switched.
  const after = await runGit(worktree, ['symbolic-ref', '--quiet', 'HEAD']);
  if (after.stdout !== `refs/heads/${branch}`) {
    throw refuse(worktree, branch, where, `could not be switched back: ${switched.stderr.split('\n').at(-1) || `git switch exited ${switched.code}`}`, `Switch it by hand (\`git -C ${worktree} switch ${branch}\`)`, details);
  }
  if (log) {
    const hook = switched.code !== 0 ? ` (git switch exited ${switched.code}: ${switched.stderr.replace(/\s*\n\s*/g, ' | ')})` : '';
    fs.appendFileSync(log, `task-manager: worktree: was ${where} with nothing uncommitted; switched back to ${branch}${hook}\n`);
  }
  return { branch, base_commit: await git(worktree, ['rev-parse', '--verify', 'HEAD']) };
};
