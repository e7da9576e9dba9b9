// Item: a reused worktree's branch is checked before every run.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, historyOf, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';
import { commitFile, git, logOf, workerScript } from '../fixtures/git-repo.js';

t.test('a run in the same chain after the agent switched branches starts on task/<slug> again', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const branches = path.join(base, 'branches.log');
  const go = path.join(base, 'go');
  // Each run notes the branch it started on, then moves the worktree to a branch of its own.
  const worker = workerScript(
    box,
    'switcher.sh',
    `start=$(git rev-parse --abbrev-ref HEAD)
git checkout -q -b "side-$TASK_MANAGER_RUN_ID" || exit 1
echo "$start" >> ${branches}
while [ ! -e ${go} ]; do sleep 0.05; done`,
  );
  const d = await runBin('dispatch', ['sw', '--prompt', 'first', '--worker-cmd', worker], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => fs.existsSync(branches), 'first run switched branch');
  const c = await runBin('dispatch-continue', ['sw', '--prompt', 'second'], { cwd: box.repo, env: box.env });
  t.equal(c.code, 0, c.stderr);
  t.match(c.records[0], { result: 'queued' });
  fs.writeFileSync(go, '');
  const end = await waitFor(() => chainOver(box, 'sw'), 'chain over');
  t.equal(end.outcome, 'ok', end.reason);
  t.same(fs.readFileSync(branches, 'utf8').trim().split('\n'), ['task/sw', 'task/sw'], 'both runs started on the task branch');
  const started = historyOf(box, 'sw').filter((e) => e.event === 'run_started');
  t.equal(started.length, 2);
  const taskHead = git(box, box.repo, 'rev-parse', 'task/sw');
  for (const e of started) t.match(e, { branch: 'task/sw', base_commit: taskHead });
  t.match(end, { branch: 'task/sw', base_commit: taskHead });
  t.match(logOf(box, 'sw'), /task-manager: worktree: was on branch side-r-\S+ with nothing uncommitted; switched back to task\/sw/);
});

t.test('a worktree left on another branch with uncommitted changes is refused, and left as it is', async (t) => {
  const box = sandbox(t);
  const first = await runBin('dispatch', ['dirty', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  const wt = path.join(box.worktreesDir, 'dirty');
  git(box, wt, 'checkout', '-q', '-b', 'other');
  fs.appendFileSync(path.join(wt, 'README.md'), 'work in progress\n');
  const again = await runBin('dispatch', ['dirty', '--prompt', 'y', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(again.code, 1);
  t.match(again.records[0], { type: 'error', code: 'start_failed', slug: 'dirty' });
  t.match(again.records[0].message, /is on branch other, not on task\/dirty, and has uncommitted changes; the run was not started\. Commit or stash them there and `git -C \S+ switch task\/dirty`/);
  t.match(statusOf(box, 'dirty'), { state: 'failed', outcome: 'start_failed', reason: /on branch other/ });
  t.equal(git(box, wt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'other', 'not switched');
  t.match(fs.readFileSync(path.join(wt, 'README.md'), 'utf8'), /work in progress/, 'the change is still there');
  t.equal(historyOf(box, 'dirty').filter((e) => e.event === 'run_started').length, 1, 'no second run');
});

t.test('a clean detached HEAD is switched back; one with commits on no branch is refused', async (t) => {
  const box = sandbox(t);
  const first = await runBin('dispatch', ['det', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  const wt = path.join(box.worktreesDir, 'det');
  git(box, wt, 'checkout', '-q', '--detach');
  const clean = await runBin('dispatch', ['det', '--prompt', 'y', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(clean.code, 0, clean.stderr);
  t.equal(git(box, wt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'task/det');
  t.match(statusOf(box, 'det'), { branch: 'task/det', base_commit: git(box, wt, 'rev-parse', 'HEAD') });
  t.match(logOf(box, 'det'), /was at a detached HEAD \([0-9a-f]+\) with nothing uncommitted; switched back to task\/det/);

  git(box, wt, 'checkout', '-q', '--detach');
  const lonely = commitFile(box, wt, 'lonely.txt', 'on no branch\n');
  const refused = await runBin('dispatch', ['det', '--prompt', 'z', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(refused.code, 1);
  t.match(refused.records[0].message, /is at a detached HEAD \([0-9a-f]+\), not on task\/det, and has 1 commit\(s\) that are on no branch/);
  t.equal(git(box, wt, 'rev-parse', 'HEAD'), lonely, 'left where it was');
});
