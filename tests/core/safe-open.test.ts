// The one way state files are opened (fsx/safe-open.ts) and the state directory checked
// (fsx/state-dir.ts): real files, links, FIFOs, hard links, another user's files and
// files git tracks, in throwaway directories.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { appendStateFile, checkLockPath, openStateFile, readStateFile } from '@task-manager/core/fsx/safe-open';
import { checkStateDir, ensureStateDir } from '@task-manager/core/fsx/state-dir';
import { withCriticalSection } from '@task-manager/core/lock/critical-section';
import { forgetTrackedPaths } from '@task-manager/core/fsx/tracked-files';
import { GIT_ENV } from '../fixtures/e2e.js';

const NOBODY = 65534;
const tmp = (t: { teardown: (f: () => void) => void }) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-safe-')));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const refused = (problem: RegExp) => ({ code: 'unsafe_state_file', message: problem });

t.test('regular files of ours: read, appended, created owner-only', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'dispatch-a.history.jsonl');
  t.equal(readStateFile(file), undefined, 'none yet');
  appendStateFile(file, 'one\n');
  appendStateFile(file, 'two\n');
  t.equal(readStateFile(file), 'one\ntwo\n');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'created 0600 whatever the umask');
});

t.test('a symbolic link is refused for every way of opening, and its target is untouched', async (t) => {
  const dir = tmp(t);
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'private\n', { mode: 0o600 });
  const link = path.join(dir, 'dispatch-a.log');
  fs.symlinkSync(victim, link);
  for (const how of ['read', 'append', 'appendRead', 'create'] as const) {
    t.throws(() => fs.closeSync(openStateFile(link, how)), how === 'create' ? { code: 'EEXIST' } : refused(/dispatch-a\.log: it is a symbolic link; .*mv -- /), how);
  }
  t.throws(() => appendStateFile(link, 'appended\n'), refused(/symbolic link/));
  t.throws(() => readStateFile(link), refused(/symbolic link/));
  t.equal(fs.readFileSync(victim, 'utf8'), 'private\n', 'nothing written through the link');
  const dangling = path.join(dir, 'dispatch-b.history.jsonl');
  fs.symlinkSync(path.join(dir, 'created-elsewhere'), dangling);
  t.throws(() => appendStateFile(dangling, 'x\n'), refused(/symbolic link/));
  t.notOk(fs.existsSync(path.join(dir, 'created-elsewhere')), 'a dangling link does not create its target');
});

t.test('a FIFO, a directory and a hard-linked file are refused; opening a FIFO does not hang', async (t) => {
  const dir = tmp(t);
  const fifo = path.join(dir, 'dispatch-f.log');
  execFileSync('mkfifo', [fifo]);
  t.throws(() => readStateFile(fifo), refused(/not a regular file/));
  fs.mkdirSync(path.join(dir, 'dispatch-d.status.json'));
  t.throws(() => readStateFile(path.join(dir, 'dispatch-d.status.json')), refused(/not a regular file/));
  const outside = path.join(dir, 'bashrc');
  fs.writeFileSync(outside, 'export PS1=x\n');
  const hard = path.join(dir, 'dispatch-h.history.jsonl');
  fs.linkSync(outside, hard);
  t.throws(() => appendStateFile(hard, 'x\n'), refused(/2 hard links/));
  t.equal(fs.readFileSync(outside, 'utf8'), 'export PS1=x\n');
});

t.test("another user's file is refused", async (t) => {
  const dir = tmp(t);
  // As root (CI), a file given to nobody; otherwise any root-owned file stands in.
  let foreign = '/etc/passwd';
  if (process.getuid?.() === 0) {
    foreign = path.join(dir, 'dispatch-n.history.jsonl');
    fs.writeFileSync(foreign, '', { mode: 0o600 });
    fs.chownSync(foreign, NOBODY, NOBODY);
  }
  t.throws(() => readStateFile(foreign), refused(/is owned by uid \d+, not by you/));
  t.throws(() => fs.closeSync(openStateFile(foreign, 'append')), refused(/owned by uid/));
});

t.test('a file git tracks is refused; an untracked one beside it is fine', async (t) => {
  const repo = tmp(t);
  const env = { ...process.env, ...GIT_ENV };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  const state = path.join(repo, 'tasks', 'logs');
  fs.mkdirSync(state, { recursive: true });
  fs.writeFileSync(path.join(state, 'dispatch-c.status.json'), '{}\n');
  fs.mkdirSync(path.join(state, 'dispatch-c.lock'));
  fs.writeFileSync(path.join(state, 'dispatch-c.lock', 'junk'), '');
  git('add', '.');
  git('commit', '-q', '-m', 'state committed by mistake');
  forgetTrackedPaths();
  t.throws(() => readStateFile(path.join(state, 'dispatch-c.status.json')), refused(/is tracked by git .*git rm -r --cached/));
  t.throws(() => checkLockPath(path.join(state, 'dispatch-c.lock')), refused(/tracked by git/), 'a lock directory with committed content');
  appendStateFile(path.join(state, 'dispatch-u.log'), 'fine\n');
  t.equal(readStateFile(path.join(state, 'dispatch-u.log')), 'fine\n', 'untracked files of the same directory are used');
  // Outside any repository nothing is tracked.
  const plain = tmp(t);
  appendStateFile(path.join(plain, 'dispatch-x.log'), 'x\n');
  t.equal(readStateFile(path.join(plain, 'dispatch-x.log')), 'x\n');
});

t.test('lock paths: a link or a file where a lock directory belongs is refused', async (t) => {
  const dir = tmp(t);
  const lock = path.join(dir, 'heartbeat.lock');
  checkLockPath(lock);
  fs.mkdirSync(lock);
  checkLockPath(lock);
  fs.rmdirSync(lock);
  fs.symlinkSync('/', lock);
  t.throws(() => checkLockPath(lock), refused(/heartbeat\.lock: it is a symbolic link where a lock directory belongs; remove it/));
  fs.unlinkSync(lock);
  fs.writeFileSync(lock, '');
  t.throws(() => checkLockPath(lock), refused(/not a directory/));
});

t.test('a lock directory is created owner-only, and a link in its place is refused before locking', async (t) => {
  const dir = tmp(t);
  const lock = path.join(dir, 'dispatch-m.lock');
  const mode = await withCriticalSection(lock, () => fs.statSync(lock).mode & 0o777);
  t.equal(mode, 0o700, 'not 0777 less the umask');
  fs.symlinkSync(dir, lock);
  await t.rejects(withCriticalSection(lock, () => undefined), refused(/symbolic link where a lock directory belongs/));
});

t.test('the state directory: ours, not writable by group or others, not a link', async (t) => {
  const base = tmp(t);
  const dir = path.join(base, 'a', 'logs');
  checkStateDir(dir);
  ensureStateDir(dir);
  t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'created 0700');
  fs.chmodSync(dir, 0o777);
  t.throws(() => checkStateDir(dir), { code: 'unsafe_state_dir', message: `refusing state directory ${dir}: it is writable by group or others (mode 0777); make it yours alone: chmod 700 ${dir}` });
  t.throws(() => ensureStateDir(dir), { code: 'unsafe_state_dir' }, 'an existing directory is checked too, not re-created');
  fs.chmodSync(dir, 0o755);
  checkStateDir(dir);
  const link = path.join(base, 'link');
  fs.symlinkSync(dir, link);
  t.throws(() => checkStateDir(link), { code: 'unsafe_state_dir', message: /is a symbolic link/ });
  if (process.getuid?.() === 0) {
    fs.chownSync(dir, NOBODY, NOBODY);
    t.throws(() => checkStateDir(dir), { code: 'unsafe_state_dir', message: /owned by uid 65534, not by you/ });
  } else {
    t.throws(() => checkStateDir('/etc'), { code: 'unsafe_state_dir', message: /owned by uid 0/ });
  }
});

t.test('no git is asked about a state directory outside any repository; one reached through a link into a repository is', async (t) => {
  const base = tmp(t);
  // A git on PATH that logs each call and runs the real one.
  const calls = path.join(base, 'git-calls.log');
  const bin = path.join(base, 'bin');
  const realGit = process.env.PATH!.split(path.delimiter).map((d) => path.join(d, 'git')).find((f) => fs.existsSync(f))!;
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${calls}\nexec ${realGit} "$@"\n`, { mode: 0o755 });
  const path0 = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${path0}`;
  t.teardown(() => {
    process.env.PATH = path0;
  });
  const logged = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '');

  const outside = path.join(base, 'plain', 'state');
  fs.mkdirSync(outside, { recursive: true });
  forgetTrackedPaths();
  appendStateFile(path.join(outside, 'dispatch-o.log'), 'x\n');
  t.equal(readStateFile(path.join(outside, 'dispatch-o.log')), 'x\n');
  t.equal(logged(), '', 'no git process for a directory with no .git above it');

  const repo = path.join(base, 'repo');
  const state = path.join(repo, 'tasks', 'logs');
  fs.mkdirSync(state, { recursive: true });
  const env = { ...process.env, ...GIT_ENV };
  execFileSync(realGit, ['init', '-q', '-b', 'main'], { cwd: repo, env, stdio: 'ignore' });
  fs.writeFileSync(path.join(state, 'dispatch-t.status.json'), '{}\n');
  execFileSync(realGit, ['add', '.'], { cwd: repo, env, stdio: 'ignore' });
  execFileSync(realGit, ['commit', '-q', '-m', 'state committed by mistake'], { cwd: repo, env, stdio: 'ignore' });
  // The same directory by a path with no .git above it: git sees through the link, so must the check.
  const link = path.join(base, 'plain', 'linked');
  fs.symlinkSync(state, link);
  forgetTrackedPaths();
  t.throws(() => readStateFile(path.join(link, 'dispatch-t.status.json')), refused(/is tracked by git/));
  t.match(logged(), /ls-files/, 'git was asked');
});

t.test('a state file is read whole: longer than the read buffer, or longer than its stat said', async (t) => {
  const dir = tmp(t);
  const big = path.join(dir, 'dispatch-big.history.jsonl');
  const text = `${'{"event":"x","note":"«ünïcode»"}\n'.repeat(5000)}`;
  appendStateFile(big, text);
  t.equal(readStateFile(big), text, `${Buffer.byteLength(text)} bytes`);
  t.equal(readStateFile(big), text, 'again, with the grown buffer');
  // A /proc file says size 0 and has content: the read goes on past what fstat said.
  const cmdline = fs.readFileSync('/proc/self/cmdline', 'utf8');
  t.ok(cmdline.length > 0);
  t.equal(readStateFile('/proc/self/cmdline'), cmdline, 'grown since the stat');
});
