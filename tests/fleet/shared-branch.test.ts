// A task's branch shared by hosts through one remote: the next holder starts from what
// the remote has; a push is leased on what the remote had when the run started, so a
// stale holder (a host cut off whose task another host took) cannot overwrite newer work.
import path from 'node:path';
import t from 'tap';
import { hasRemote, pushToRemote, syncFromRemote } from '@task-manager/core/worktree/shared-branch';
import { sandbox } from '../fixtures/e2e.js';
import { commitFile, git } from '../fixtures/git-repo.js';

t.test('two hosts hand a branch over through the remote; a stale push is refused; diverged work is kept', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const remote = path.join(base, 'remote.git');
  git(box, base, 'clone', '-q', '--bare', box.repo, remote);
  const hostA = path.join(base, 'host-a');
  const hostB = path.join(base, 'host-b');
  for (const dir of [hostA, hostB]) {
    git(box, base, 'clone', '-q', remote, dir);
    git(box, dir, 'switch', '-q', '-c', 'task/x');
  }
  t.ok(await hasRemote(hostA, 'origin'), 'a clone has its remote');
  t.notOk(await hasRemote(box.repo, 'origin'), 'the original repository has none');

  // Host A runs first: nothing on the remote yet; its push creates the branch.
  const a0 = await syncFromRemote(hostA, 'task/x', 'origin');
  t.same(a0, { remote_commit: null }, 'nothing to take yet');
  const a1 = commitFile(box, hostA, 'a.txt', 'a\n');
  t.same(await pushToRemote(hostA, 'task/x', 'origin', a0.remote_commit), { pushed: true });
  t.equal(git(box, remote, 'rev-parse', 'task/x'), a1);

  // Host B takes the task over: it starts from A's work.
  const b0 = await syncFromRemote(hostB, 'task/x', 'origin');
  t.equal(b0.remote_commit, a1);
  t.equal(git(box, hostB, 'rev-parse', 'HEAD'), a1, 'fast-forwarded to the remote');
  const b1 = commitFile(box, hostB, 'b.txt', 'b\n');
  t.same(await pushToRemote(hostB, 'task/x', 'origin', b0.remote_commit), { pushed: true });

  // A, cut off meanwhile, still thinks it holds the task: its push is leased on a1 and refused.
  commitFile(box, hostA, 'stale.txt', 'stale\n');
  const stale = await pushToRemote(hostA, 'task/x', 'origin', a1);
  t.equal(stale.pushed, false, 'the stale holder cannot overwrite');
  t.match(stale.reason, /stale info|rejected/);
  t.equal(git(box, remote, 'rev-parse', 'task/x'), b1, 'the remote keeps the newer work');

  // When A runs the task again, the remote wins; A's own commit is kept under a ref.
  const aStale = git(box, hostA, 'rev-parse', 'HEAD');
  const a2 = await syncFromRemote(hostA, 'task/x', 'origin');
  t.equal(a2.remote_commit, b1);
  t.equal(git(box, hostA, 'rev-parse', 'HEAD'), b1, 'A starts from the remote');
  t.equal(a2.kept_as, `refs/task-manager/kept/task/x/${aStale}`);
  t.equal(git(box, hostA, 'rev-parse', a2.kept_as as string), aStale, 'nothing A did is lost on A');
  t.match(a2.note, /diverged/);
});

t.test('work not pushed yet stays: a branch ahead of the remote is kept as it is', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const remote = path.join(base, 'remote.git');
  git(box, base, 'clone', '-q', '--bare', box.repo, remote);
  const host = path.join(base, 'host');
  git(box, base, 'clone', '-q', remote, host);
  git(box, host, 'switch', '-q', '-c', 'task/y');
  const first = commitFile(box, host, 'one.txt', '1\n');
  t.same(await pushToRemote(host, 'task/y', 'origin', null), { pushed: true });
  const ahead = commitFile(box, host, 'two.txt', '2\n');
  const sync = await syncFromRemote(host, 'task/y', 'origin');
  t.equal(sync.remote_commit, first);
  t.equal(git(box, host, 'rev-parse', 'HEAD'), ahead, 'nothing moved');
  t.match(sync.note, /ahead/);
});
