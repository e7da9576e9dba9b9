// Item: every tool works on the main checkout and its state, wherever it is run from.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf } from '../fixtures/e2e.js';
import { commitFile, git } from '../fixtures/git-repo.js';

t.test("dispatch from inside a task's worktree makes a sibling task of the main checkout, based on its HEAD; --base picks another start", async (t) => {
  const box = sandbox(t);
  const first = await runBin('dispatch', ['a', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  const wtA = path.join(box.worktreesDir, 'a');
  const aCommit = commitFile(box, wtA, 'a.txt', 'work of a\n');
  const mainHead = git(box, box.repo, 'rev-parse', 'HEAD');
  fs.mkdirSync(path.join(wtA, 'deeper'));

  const nested = await runBin('dispatch', ['b', '--prompt', 'y', '--wait', '--worker-cmd', 'true'], { cwd: path.join(wtA, 'deeper'), env: box.env });
  t.equal(nested.code, 0, nested.stderr);
  t.match(nested.records[0], { worktree: path.join(box.worktreesDir, 'b'), log: path.join(box.stateDir, 'dispatch-b.log') });
  t.equal(statusOf(box, 'b').outcome, 'ok', 'state in the main checkout');
  t.notOk(fs.existsSync(path.join(wtA, '.worktrees')), 'nothing nested in the task worktree');
  t.notOk(fs.existsSync(path.join(wtA, 'tasks')), 'no state in the task worktree');
  t.equal(git(box, path.join(box.worktreesDir, 'b'), 'rev-parse', 'HEAD'), mainHead, "based on the main checkout's HEAD, not a's");

  const based = await runBin('dispatch', ['c', '--prompt', 'z', '--base', 'task/a', '--wait', '--worker-cmd', 'true'], { cwd: wtA, env: box.env });
  t.equal(based.code, 0, based.stderr);
  t.equal(git(box, path.join(box.worktreesDir, 'c'), 'rev-parse', 'HEAD'), aCommit, '--base task/a');
  t.match(statusOf(box, 'c'), { spec: { base: aCommit, base_ref: 'task/a' }, base_commit: aCommit, worktree_setup: { base_commit: aCommit } });

  const bad = await runBin('dispatch', ['d', '--prompt', 'z', '--base', 'no-such-ref', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(bad.code, 2);
  t.match(bad.records[0], { type: 'error', code: 'usage', message: /--base no-such-ref: not a commit/ });
  t.notOk(statusOf(box, 'd'), 'nothing claimed');

  // The other tools see the same state from inside the worktree.
  const watch = await runBin('dispatch-watch', ['--json'], { cwd: wtA, env: box.env });
  t.equal(watch.code, 0, watch.stderr);
  t.same(watch.records.map((r) => r.slug), ['a', 'b', 'c']);
  const reap = await runBin('worker-reap', ['--dry-run'], { cwd: path.join(wtA, 'deeper'), env: box.env });
  t.equal(reap.code, 0, reap.stderr);
});

t.test('relative path settings mean the same directory from a subdirectory', async (t) => {
  const box = sandbox(t);
  const sub = path.join(box.repo, 'src', 'deep');
  fs.mkdirSync(sub, { recursive: true });
  const r = await runBin('dispatch', ['rel', '--prompt', 'x', '--wait', '--worktrees-dir', 'wt', '--worker-cmd', 'true'], {
    cwd: sub,
    env: { ...box.env, TASK_MANAGER_STATE_DIR: 'state' },
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.records[0], { worktree: path.join(box.repo, 'wt', 'rel'), log: path.join(box.repo, 'state', 'dispatch-rel.log') });
  t.notOk(fs.existsSync(path.join(sub, 'wt')));
  t.notOk(fs.existsSync(path.join(sub, 'state')));
  const watch = await runBin('dispatch-watch', ['--json', '--state-dir', 'state'], { cwd: box.repo, env: box.env });
  t.same(watch.records.map((x) => x.slug), ['rel'], 'the same state dir from the top');
});

t.test('a bare repository is named as such, with what to do', async (t) => {
  const box = sandbox(t);
  const bare = path.join(path.dirname(box.repo), 'bare.git');
  git(box, path.dirname(box.repo), 'clone', '-q', '--bare', box.repo, bare);
  const r = await runBin('dispatch', ['x', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: bare, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { type: 'error', code: 'bare_repository', message: /is in a bare repository .*need a non-bare checkout.*git clone/ });
  t.notMatch(r.stderr, /not inside a git repository/);
  // A linked worktree of a bare repository has no main checkout either.
  const linked = path.join(path.dirname(box.repo), 'linked');
  git(box, bare, 'worktree', 'add', '-q', linked);
  const fromLinked = await runBin('dispatch', ['x', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: linked, env: box.env });
  t.match(fromLinked.records[0], { code: 'bare_repository' });
  t.notOk(fs.existsSync(path.join(linked, '.worktrees')));
});
