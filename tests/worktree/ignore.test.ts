// Item: our folders stay out of the user's index even under a whitelist .gitignore.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox } from '../fixtures/e2e.js';
import { commitFile, git } from '../fixtures/git-repo.js';

t.test('a whitelist .gitignore does not show .worktrees or the state dir, and git add -A takes nothing of ours', async (t) => {
  const box = sandbox(t);
  // Ignore everything, then allow directories and the kinds of files the project has —
  // which overrides .git/info/exclude.
  commitFile(box, box.repo, '.gitignore', ['*', '!*/', '!*.md', '!*.json', '!*.jsonl', '!*.log', '!.gitignore', ''].join('\n'));
  const r = await runBin('dispatch', ['wl', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  t.ok(fs.existsSync(path.join(box.stateDir, 'dispatch-wl.status.json')));
  t.equal(git(box, box.repo, 'status', '--porcelain', '--untracked-files=all'), '', 'git status shows nothing of ours');
  const add = spawnSync('git', ['add', '-A', '--dry-run'], { cwd: box.repo, env: box.env, encoding: 'utf8' });
  t.equal(add.status, 0);
  t.equal(add.stdout, '', 'git add -A would add nothing');
  t.notMatch(add.stderr, /embedded git repository/);
  t.equal(fs.readFileSync(path.join(box.worktreesDir, '.gitignore'), 'utf8'), '# task-manager: nothing in this directory belongs in the repository\n*\n');
  t.ok(fs.existsSync(path.join(box.stateDir, '.gitignore')));
});

t.test('a directory the user tracks files in gets no .gitignore of ours', async (t) => {
  const box = sandbox(t);
  commitFile(box, box.repo, 'wt/KEEP.md', 'the user tracks this\n');
  const r = await runBin('dispatch', ['own', '--prompt', 'x', '--wait', '--worktrees-dir', 'wt', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  t.notOk(fs.existsSync(path.join(box.repo, 'wt', '.gitignore')), 'their directory, their ignore rules');
  t.equal(git(box, box.repo, 'status', '--porcelain'), '', '.git/info/exclude still keeps the worktree out');
});
