// Item: a new worktree never prunes the user's other worktrees.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox } from '../fixtures/e2e.js';
import { git } from '../fixtures/git-repo.js';

t.test("the user's worktree whose folder is away during dispatches keeps its registration; only our own stale one goes", async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const userWt = path.join(base, 'user-wt');
  git(box, box.repo, 'worktree', 'add', '-q', '-b', 'user-branch', userWt);
  const admin = path.join(box.repo, '.git', 'worktrees', 'user-wt');
  t.ok(fs.existsSync(admin), 'registered');
  // The folder is away (a disk not mounted, a move in progress) while we dispatch.
  fs.renameSync(userWt, `${userWt}-away`);
  const first = await runBin('dispatch', ['p', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  t.ok(fs.existsSync(admin), "the user's registration survived a new worktree");

  // Our own worktree's folder deleted by hand: its stale registration is the only one removed.
  fs.rmSync(path.join(box.worktreesDir, 'p'), { recursive: true, force: true });
  t.match(git(box, box.repo, 'worktree', 'list', '--porcelain'), /worktree \S+\/\.worktrees\/p\n[^]*?prunable/, 'ours is stale now');
  const again = await runBin('dispatch', ['p', '--prompt', 'y', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(again.code, 0, again.stderr);
  t.match(again.records[0], { result: 'started', worktree_setup: { action: 'created', stale_entry_removed: true, branch_reused: true } });
  t.equal(git(box, path.join(box.worktreesDir, 'p'), 'rev-parse', '--abbrev-ref', 'HEAD'), 'task/p');
  t.ok(fs.existsSync(admin), "the user's registration survived the stale-entry cleanup too");

  fs.renameSync(`${userWt}-away`, userWt);
  t.equal(git(box, userWt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'user-branch', "the user's worktree works when its folder is back");
  t.match(git(box, box.repo, 'worktree', 'list', '--porcelain'), `worktree ${userWt}\n`);
});
