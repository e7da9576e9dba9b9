// Item: a failing post-checkout hook is a warning with its output, not a failed start.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { historyOf, runBin, sandbox, statusOf } from '../fixtures/e2e.js';
import { git, logOf } from '../fixtures/git-repo.js';

t.test('the hook runs once in the new worktree; its failure is reported, and the run goes on', async (t) => {
  const box = sandbox(t);
  const ran = path.join(path.dirname(box.repo), 'hook-ran');
  fs.writeFileSync(
    path.join(box.repo, '.git', 'hooks', 'post-checkout'),
    `#!/bin/sh\necho "$PWD $1 $2 $3" >> ${ran}\necho "husky - can't find node_modules, run npm install" >&2\nexit 1\n`,
    { mode: 0o755 },
  );
  const r = await runBin('dispatch', ['hk', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  const wt = path.join(box.worktreesDir, 'hk');
  const head = git(box, wt, 'rev-parse', 'HEAD');
  t.same(fs.readFileSync(ran, 'utf8').trim().split('\n'), [`${wt} ${'0'.repeat(40)} ${head} 1`], 'run once, in the worktree, with the arguments git gives it');
  t.match(r.records[0].worktree_setup, { action: 'created', hook_failure: { hook: 'post-checkout', exit_code: 1, output: /husky - can't find node_modules/ } });
  t.match(r.stderr, /dispatch: hk: the post-checkout hook exited 1; the worktree is complete and the run goes on\. Hook output: husky - can't find node_modules/);
  t.match(logOf(box, 'hk'), /task-manager: worktree: warning: the post-checkout hook exited 1.*husky/);
  t.match(r.records.at(-1), { result: 'ended', outcome: 'ok' });
  t.match(statusOf(box, 'hk'), { worktree_setup: { hook_failure: { exit_code: 1 } } });
  t.equal(git(box, wt, 'status', '--porcelain'), '', 'the checkout is complete');
  t.equal(historyOf(box, 'hk').filter((e) => e.event === 'run_started').length, 1);
});

t.test('a checkout that fails is rolled back: the next dispatch starts from scratch', async (t) => {
  const box = sandbox(t);
  // A smudge filter that fails, as a required git-lfs filter does without git-lfs.
  fs.writeFileSync(path.join(box.repo, '.gitattributes'), 'README.md filter=broken\n');
  git(box, box.repo, 'add', '.gitattributes');
  git(box, box.repo, 'commit', '-q', '-m', 'attributes');
  git(box, box.repo, 'config', 'filter.broken.smudge', 'false');
  git(box, box.repo, 'config', 'filter.broken.required', 'true');
  const r = await runBin('dispatch', ['fl', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0].message, /checking out task\/fl in \S+ failed: .*README\.md/);
  t.notOk(fs.existsSync(path.join(box.worktreesDir, 'fl')), 'no half worktree left to be reused');
  t.notMatch(git(box, box.repo, 'worktree', 'list', '--porcelain'), /\/fl\n/, 'not registered');
  t.equal(git(box, box.repo, 'branch', '--list', 'task/fl'), '', 'the new branch is gone too');
  git(box, box.repo, 'config', '--unset', 'filter.broken.required');
  git(box, box.repo, 'config', 'filter.broken.smudge', 'cat');
  const again = await runBin('dispatch', ['fl', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(again.code, 0, again.stderr);
  t.match(again.records[0].worktree_setup, { action: 'created', branch_reused: false });
});
