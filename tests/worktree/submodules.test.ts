// Item: submodules are checked out in task worktrees, from the main checkout's copies.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox } from '../fixtures/e2e.js';
import { git, logOf, newRepo } from '../fixtures/git-repo.js';

const LOCAL = ['-c', 'protocol.file.allow=always'];

t.test('submodules (nested too) come from the main checkout; one it lacks is reported missing', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  // lib has a submodule of its own (deep); the task repository has lib, and vendor/other
  // which its main checkout never checked out.
  const deep = newRepo(box, 'deep');
  const lib = newRepo(box, 'lib');
  git(box, lib, ...LOCAL, 'submodule', 'add', '-q', deep, 'deep');
  git(box, lib, 'commit', '-q', '-m', 'deep');
  const other = newRepo(box, 'other');
  git(box, box.repo, ...LOCAL, 'submodule', 'add', '-q', lib, 'libs/lib');
  git(box, box.repo, ...LOCAL, 'submodule', 'update', '-q', '--init', '--recursive');
  git(box, box.repo, ...LOCAL, 'submodule', 'add', '-q', other, 'vendor/other');
  git(box, box.repo, 'commit', '-q', '-m', 'submodules');
  git(box, box.repo, 'submodule', 'deinit', '-q', '-f', 'vendor/other');
  // The upstreams are gone: whatever the worktree gets can only come from the main checkout.
  for (const dir of [deep, lib, other]) fs.renameSync(dir, `${dir}-gone`);
  const configBefore = fs.readFileSync(path.join(box.repo, '.git', 'config'), 'utf8');

  const r = await runBin('dispatch', ['sub', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  const wt = path.join(box.worktreesDir, 'sub');
  t.equal(fs.readFileSync(path.join(wt, 'libs', 'lib', 'lib.txt'), 'utf8'), 'lib\n', 'the submodule is checked out');
  t.equal(fs.readFileSync(path.join(wt, 'libs', 'lib', 'deep', 'deep.txt'), 'utf8'), 'deep\n', 'and its own submodule');
  t.equal(git(box, path.join(wt, 'libs', 'lib'), 'rev-parse', 'HEAD'), git(box, path.join(box.repo, 'libs', 'lib'), 'rev-parse', 'HEAD'), 'at the recorded commit');
  t.same(fs.readdirSync(path.join(wt, 'vendor', 'other')), [], 'the one the main checkout lacks stays empty');
  t.match(r.records[0].worktree_setup.submodules, {
    initialized: ['libs/lib', 'libs/lib/deep'],
    missing: [{ path: 'vendor/other', reason: /not checked out in the main checkout/ }],
  });
  t.match(r.stderr, /dispatch: sub: submodule vendor\/other is NOT checked out in the worktree: not checked out in the main checkout/);
  t.match(logOf(box, 'sub'), /task-manager: worktree: warning: submodule vendor\/other is NOT checked out in the worktree/);
  t.match(logOf(box, 'sub'), /task-manager: worktree: submodules checked out from the main checkout's copies: libs\/lib, libs\/lib\/deep/);
  t.equal(fs.readFileSync(path.join(box.repo, '.git', 'config'), 'utf8'), configBefore, "the shared .git/config is not changed");
  t.equal(git(box, wt, 'status', '--porcelain'), '', 'the worktree is clean');
  t.ok(fs.existsSync(`${base}/lib-gone`), 'upstreams stayed away');
});
