// Item: what a new worktree leaves out is said: main checkout changes, a reused branch.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf } from '../fixtures/e2e.js';
import { commitFile, git, logOf } from '../fixtures/git-repo.js';

t.test('uncommitted changes in the main checkout are named as left out', async (t) => {
  const box = sandbox(t);
  fs.appendFileSync(path.join(box.repo, 'README.md'), 'edited, not committed\n');
  fs.writeFileSync(path.join(box.repo, 'notes.txt'), 'untracked\n');
  const r = await runBin('dispatch', ['dm', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.records[0].worktree_setup, { main_checkout_dirty: true, warnings: [/the main checkout has uncommitted changes \(2 path\(s\): README\.md, notes\.txt\); they are not in the worktree/] });
  t.match(r.stderr, /dispatch: dm: the main checkout has uncommitted changes/);
  t.match(logOf(box, 'dm'), /task-manager: worktree: warning: the main checkout has uncommitted changes/);
  t.equal(fs.readFileSync(path.join(box.worktreesDir, 'dm', 'README.md'), 'utf8'), '# test repo\n', 'the worktree has the committed file');
  const clean = await runBin('dispatch', ['dc', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.worktreesDir, env: { ...box.env } });
  t.equal(clean.code, 0, clean.stderr);
  t.match(statusOf(box, 'dc').worktree_setup, { main_checkout_dirty: true }, 'still dirty: the same main checkout, from anywhere');
  git(box, box.repo, 'checkout', '--', 'README.md');
  fs.rmSync(path.join(box.repo, 'notes.txt'));
  const none = await runBin('dispatch', ['dn', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.match(none.records[0].worktree_setup, { main_checkout_dirty: false, warnings: [] });
  t.equal(none.stderr, '');
});

t.test('a task branch left from earlier is continued, and said so with its base', async (t) => {
  const box = sandbox(t);
  git(box, box.repo, 'checkout', '-q', '-b', 'task/old');
  const oldTip = commitFile(box, box.repo, 'old.txt', 'earlier work\n');
  git(box, box.repo, 'checkout', '-q', 'main');
  const mainHead = commitFile(box, box.repo, 'main.txt', 'main moved on\n');
  const r = await runBin('dispatch', ['old', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.records[0].worktree_setup, { action: 'created', branch_reused: true, base_commit: oldTip });
  t.match(r.stderr, new RegExp(`branch task/old already existed \\(at ${oldTip.slice(0, 10)}, 1 commit\\(s\\) not in the main checkout's HEAD\\): the worktree continues it instead of a new branch from the main checkout's HEAD \\(${mainHead.slice(0, 10)}\\)`));
  t.ok(fs.existsSync(path.join(box.worktreesDir, 'old', 'old.txt')));
  t.match(statusOf(box, 'old'), { branch: 'task/old', base_commit: oldTip });
  const fresh = await runBin('dispatch', ['fresh', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.match(fresh.records[0].worktree_setup, { branch_reused: false, base_commit: mainHead });
});
