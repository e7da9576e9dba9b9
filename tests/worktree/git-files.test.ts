// Item: a reused worktree's registration and branch are read from git's own files (no git
// process on the path from dispatch to a running worker), and git is asked whenever the
// files do not say so plainly.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { branchHead, registeredWorktree } from '../../shared/core/src/worktree/git-files.js';
import { runBin, sandbox, waitFor, chainOver } from '../fixtures/e2e.js';
import { commitFile, git, newRepo } from '../fixtures/git-repo.js';

const commonDir = (box: { repo: string }) => path.join(box.repo, '.git');

t.test('a linked worktree on a loose branch ref: the same answers as git', async (t) => {
  const box = sandbox(t);
  const wt = path.join(path.dirname(box.repo), 'wt');
  git(box, box.repo, 'worktree', 'add', '-q', '-b', 'task/a', wt);
  commitFile(box, wt, 'a.txt', 'a\n');
  t.equal(registeredWorktree(commonDir(box), wt), true);
  t.same(branchHead(wt), { commit: git(box, wt, 'rev-parse', 'HEAD'), ref: 'refs/heads/task/a' });
  // A `.git` file with a relative path (git worktree --relative-paths writes these) reads the same.
  const gitDir = git(box, wt, 'rev-parse', '--absolute-git-dir');
  fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${path.relative(wt, gitDir)}\n`);
  t.equal(registeredWorktree(commonDir(box), wt), true, 'relative gitdir');
  t.equal(branchHead(wt)?.ref, 'refs/heads/task/a', 'relative gitdir');
});

t.test('whatever the files do not say plainly is left to git', async (t) => {
  const box = sandbox(t);
  const wt = path.join(path.dirname(box.repo), 'wt');
  git(box, box.repo, 'worktree', 'add', '-q', '-b', 'task/b', wt);
  t.equal(branchHead(box.repo), undefined, 'the main checkout (.git is a directory)');
  t.equal(registeredWorktree(commonDir(box), box.repo), undefined, 'the main checkout');
  git(box, box.repo, 'pack-refs', '--all');
  t.notOk(fs.existsSync(path.join(box.repo, '.git', 'refs', 'heads', 'task', 'b')), 'the ref is packed');
  t.equal(branchHead(wt), undefined, 'a packed ref');
  t.equal(registeredWorktree(commonDir(box), wt), true, 'still registered');
  git(box, wt, 'checkout', '-q', '--detach');
  t.equal(branchHead(wt), undefined, 'a detached HEAD');
  // Registered in another repository, or a `.git` file pointing at a registration that names another path.
  const other = newRepo(box, 'other');
  const foreign = path.join(path.dirname(box.repo), 'foreign');
  git(box, other, 'worktree', 'add', '-q', '-b', 'x', foreign);
  t.equal(registeredWorktree(commonDir(box), foreign), undefined, 'a worktree of another repository');
  const copy = path.join(path.dirname(box.repo), 'copy');
  fs.mkdirSync(copy);
  fs.copyFileSync(path.join(wt, '.git'), path.join(copy, '.git'));
  t.equal(registeredWorktree(commonDir(box), copy), undefined, 'a copied .git file: the registration names the original');
  fs.writeFileSync(path.join(copy, '.git'), 'not a gitdir line\n');
  t.equal(registeredWorktree(commonDir(box), copy), undefined, 'garbage');
  t.equal(branchHead(copy), undefined, 'garbage');
});

t.test('dispatch of a task whose worktree exists starts its worker without a git process in the supervisor', async (t) => {
  const box = sandbox(t);
  // A git on PATH that logs every call and runs the real one.
  const bin = path.join(path.dirname(box.repo), 'bin');
  const calls = path.join(path.dirname(box.repo), 'git-calls.log');
  const realGit = process.env.PATH!.split(path.delimiter).map((d) => path.join(d, 'git')).find((f) => fs.existsSync(f))!;
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${calls}\nexec ${realGit} "$@"\n`, { mode: 0o755 });
  const env = { ...box.env, PATH: `${bin}${path.delimiter}${box.env.PATH}` };
  const first = await runBin('dispatch', ['reuse', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  t.match(fs.readFileSync(calls, 'utf8'), /worktree add/, 'the logging git is the one used');
  fs.writeFileSync(calls, '');
  const again = await runBin('dispatch', ['reuse', '--prompt', 'y', '--worker-cmd', 'true'], { cwd: box.repo, env });
  t.equal(again.code, 0, again.stderr);
  const end = await waitFor(() => chainOver(box, 'reuse'), 'second chain over');
  t.equal(end.outcome, 'ok', end.reason);
  t.match(end, { branch: 'task/reuse', base_commit: git(box, box.repo, 'rev-parse', 'task/reuse') });
  const logged = fs.readFileSync(calls, 'utf8');
  t.notMatch(logged, /worktree list/, 'registration read from files');
  t.notMatch(logged, /rev-parse HEAD --symbolic-full-name/, 'branch read from files');
});
