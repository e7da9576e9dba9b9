// Item: a committed symlink never sends a worktree outside the repository.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf } from '../fixtures/e2e.js';
import { git } from '../fixtures/git-repo.js';

t.test('a committed .worktrees symlink is refused before anything is claimed or written through it', async (t) => {
  const box = sandbox(t);
  const outside = path.join(path.dirname(box.repo), 'home-bin');
  fs.mkdirSync(outside);
  fs.symlinkSync('../home-bin', path.join(box.repo, '.worktrees'));
  git(box, box.repo, 'add', '.worktrees');
  git(box, box.repo, 'commit', '-q', '-m', 'a link');
  const r = await runBin('dispatch', ['evil', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { type: 'error', code: 'worktree_unsafe', slug: 'evil', message: /\.worktrees is a symbolic link \(to \.\.\/home-bin\) inside the repository: a task's worktree must be a real directory/ });
  t.same(fs.readdirSync(outside), [], 'nothing written where the link points');
  t.notOk(statusOf(box, 'evil'), 'nothing claimed');
});

t.test("a link at a task's own folder is refused, even to a registered worktree", async (t) => {
  const box = sandbox(t);
  const userWt = path.join(path.dirname(box.repo), 'user-wt');
  git(box, box.repo, 'worktree', 'add', '-q', '-b', 'user-branch', userWt);
  fs.mkdirSync(box.worktreesDir);
  fs.symlinkSync(userWt, path.join(box.worktreesDir, 'link'));
  const r = await runBin('dispatch', ['link', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { code: 'worktree_unsafe', message: /\.worktrees\/link is a symbolic link/ });
  t.equal(git(box, userWt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'user-branch', "the user's worktree was not used");
});

t.test('links outside the repository are the user\'s own and are followed', async (t) => {
  const box = sandbox(t);
  const real = path.join(path.dirname(box.repo), 'big-disk');
  fs.mkdirSync(real);
  const link = path.join(path.dirname(box.repo), 'wt-link');
  fs.symlinkSync(real, link);
  const r = await runBin('dispatch', ['out', '--prompt', 'x', '--wait', '--worktrees-dir', link, '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  t.ok(fs.existsSync(path.join(real, 'out', 'README.md')));
});
