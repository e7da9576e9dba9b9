// What a repository carries is data: a status, a history or a log that arrived with a
// commit, a symbolic link in the state directory, another user's file or a state
// directory others can write are refused with a line that says what to do — never
// followed, never appended to, never printed. Everything here happens in throwaway
// repositories; the "victim" files are files the test made.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, nodeWorker, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';
import { putStatus, runStatus } from '../fixtures/watch-reap-util.js';

const NOBODY = 65534;

t.test('git pull brings a status and a history linked to a file outside: hb-tick appends nothing and says why', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const victim = path.join(base, 'bashrc');
  fs.writeFileSync(victim, 'alias ls=ls\n', { mode: 0o600 });
  const work = path.join(base, 'work');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: box.env, stdio: 'ignore' });
  git(base, 'clone', '-q', box.repo, work);
  // Upstream commits a dead "running" status (a reap would write worker_gone and append
  // to its history) and a history that is a link leaving the repository.
  const upstreamState = path.join(box.repo, 'tasks', 'logs');
  fs.mkdirSync(upstreamState, { recursive: true });
  // No pid in it: the sandbox's cleanup signals the pids a status names.
  fs.writeFileSync(path.join(upstreamState, 'dispatch-x.status.json'), `${JSON.stringify(runStatus('x'))}\n`);
  fs.symlinkSync('../../../bashrc', path.join(upstreamState, 'dispatch-x.history.jsonl'));
  writeTask(box, 'x', 'status: ready');
  git(box.repo, 'add', '.');
  git(box.repo, 'commit', '-q', '-m', 'innocent-looking change');
  git(work, 'pull', '-q', '--ff-only');
  const state = path.join(work, 'tasks', 'logs');
  const committed = fs.readFileSync(path.join(state, 'dispatch-x.status.json'), 'utf8');

  const tick = await runBin('hb-tick', [], { cwd: work, env: { ...box.env, TASK_MANAGER_WORKER_CMD: 'true' } });
  t.equal(tick.code, 4, 'bad input: the task is invalid');
  t.equal(fs.readFileSync(victim, 'utf8'), 'alias ls=ls\n', 'nothing appended to the file the link points to');
  t.match(tick.stderr, /refusing state file .*dispatch-x\.status\.json: it is tracked by git .*git rm -r --cached/);
  t.match(tick.records.find((r) => r.type === 'task'), { slug: 'x', class: 'invalid' }, 'the task is not dispatched');
  t.notOk(tick.records.some((r) => r.type === 'action'), 'nothing started from a committed status');
  t.equal(fs.readFileSync(path.join(state, 'dispatch-x.status.json'), 'utf8'), committed, 'the committed status is left as it is');

  const reap = await runBin('worker-reap', [], { cwd: work, env: box.env });
  t.equal(reap.code, 4);
  t.match(reap.records, [{ type: 'error', slug: 'x', code: 'unsafe_state_file' }]);
  const watch = await runBin('dispatch-watch', [], { cwd: work, env: box.env });
  t.match(watch.records, [{ type: 'error', slug: 'x', code: 'unsafe_state_file' }]);
  t.equal(fs.readFileSync(victim, 'utf8'), 'alias ls=ls\n');
});

t.test('links in the state directory: dispatch refuses before claiming; watch --log never prints through one', async (t) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const secret = path.join(base, 'secret');
  fs.writeFileSync(secret, 'TOP SECRET\n', { mode: 0o600 });
  fs.mkdirSync(box.stateDir, { recursive: true, mode: 0o700 });
  fs.symlinkSync(secret, path.join(box.stateDir, 'dispatch-h.history.jsonl'));
  const d = await runBin('dispatch', ['h', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(d.code, 4, d.stderr);
  t.match(d.records[0], { type: 'error', code: 'unsafe_state_file', message: /dispatch-h\.history\.jsonl: it is a symbolic link; .*mv -- / });
  t.equal(statusOf(box, 'h'), undefined, 'no claim was written');
  t.equal(fs.readFileSync(secret, 'utf8'), 'TOP SECRET\n');

  // A log that is a link: after a real run, someone swaps it for a link to a 0600 file.
  const r = await runBin('dispatch', ['l', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  const log = path.join(box.stateDir, 'dispatch-l.log');
  fs.rmSync(log);
  fs.symlinkSync(secret, log);
  const shown = await runBin('dispatch-watch', ['--log', 'l'], { cwd: box.repo, env: box.env });
  t.equal(shown.code, 4);
  t.notMatch(shown.stdout + shown.stderr, /TOP SECRET/, 'the linked file is not printed');
  t.match(shown.stderr, /refusing state file .*dispatch-l\.log: it is a symbolic link/);
  // A file of the state directory that belongs to someone else is refused too.
  fs.rmSync(log);
  fs.writeFileSync(log, 'planted\n', { mode: 0o600 });
  fs.chownSync(log, NOBODY, NOBODY);
  const foreign = await runBin('dispatch-watch', ['--log', 'l'], { cwd: box.repo, env: box.env });
  t.equal(foreign.code, 4);
  t.match(foreign.stderr, /dispatch-l\.log: it is owned by uid 65534, not by you/);
});

t.test('a state directory others can write, or another user owns, is refused by every tool', async (t) => {
  const box = sandbox(t);
  fs.mkdirSync(box.stateDir, { recursive: true });
  fs.chmodSync(box.stateDir, 0o777);
  const line = `refusing state directory ${box.stateDir}: it is writable by group or others (mode 0777); make it yours alone: chmod 700 ${box.stateDir}`;
  const runs = {
    dispatch: await runBin('dispatch', ['w', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env }),
    'dispatch-continue': await runBin('dispatch-continue', ['w', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env }),
    'dispatch-watch': await runBin('dispatch-watch', [], { cwd: box.repo, env: box.env }),
    'worker-reap': await runBin('worker-reap', [], { cwd: box.repo, env: box.env }),
    'hb-tick': await runBin('hb-tick', [], { cwd: box.repo, env: box.env }),
  };
  for (const [name, r] of Object.entries(runs)) {
    t.equal(r.code, 4, `${name}: refused`);
    t.ok(r.stderr.includes(line), `${name}: says which directory, its mode and the fix`);
  }
  t.same(fs.readdirSync(box.stateDir), [], 'nothing was created in it');
  fs.chmodSync(box.stateDir, 0o700);
  fs.chownSync(box.stateDir, NOBODY, NOBODY);
  const owned = await runBin('dispatch', ['w', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(owned.code, 4);
  t.match(owned.stderr, /refusing state directory .*: it is owned by uid 65534, not by you/);
});

t.test('a log deleted while its chain runs comes back owner-only', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '30'), TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  const d = await runBin('dispatch', ['del', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const log = path.join(box.stateDir, 'dispatch-del.log');
  fs.rmSync(log);
  // The interrupt's next run writes its header (and its worker its output) anew.
  const c = await runBin('dispatch-continue', ['del', '--interrupt', '--prompt', 'again'], { cwd: box.repo, env });
  t.match(c.records[0], { result: 'interrupted' });
  await waitFor(() => fs.existsSync(log) && /=== task-manager: run/.test(fs.readFileSync(log, 'utf8')), 'the log written again');
  t.equal(fs.statSync(log).mode & 0o777, 0o600, 'recreated 0600, not 0644');
  process.kill(statusOf(box, 'del').owner.pid, 'SIGTERM');
  await waitFor(() => chainOver(box, 'del'), 'chain over');
});

t.test('fence files: junk swept, a fence naming pid 1 does not block the task, links refused where locks belong', async (t) => {
  const box = sandbox(t);
  const fence = (slug: string, n: number | string) => path.join(box.stateDir, `dispatch-${slug}.fence-${n}`);
  putStatus(box.stateDir, runStatus('sw', { state: 'exited', outcome: 'ok', exit_code: 0, fence: 100 }));
  const outside = path.join(path.dirname(box.repo), 'outside');
  fs.writeFileSync(outside, 'keep\n');
  for (const n of [5, 36, 37, 99, 100, 'abc', '007']) fs.writeFileSync(fence('sw', n), '{}\n', { mode: 0o600 });
  fs.symlinkSync(outside, fence('sw', 'link'));
  // Another slug whose name holds ".fence-": its files are its own, never swept as junk.
  putStatus(box.stateDir, runStatus('sw.fence-2', { state: 'exited', outcome: 'ok', exit_code: 0, fence: 1 }));
  fs.writeFileSync(fence('sw.fence-2', 1), '{}\n', { mode: 0o600 });
  const reap = await runBin('worker-reap', [], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  const left = fs.readdirSync(box.stateDir).filter((n) => n.includes('.fence-')).sort();
  t.same(left, ['dispatch-sw.fence-100', 'dispatch-sw.fence-2.fence-1', 'dispatch-sw.fence-37', 'dispatch-sw.fence-99'], 'only the last 64 numbers stay');
  t.equal(fs.readFileSync(outside, 'utf8'), 'keep\n', 'a link was removed, not followed');

  // A fence beyond the status naming a live process (pid 1) that never claimed anything.
  const d1 = await runBin('dispatch', ['p1', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(d1.code, 0, d1.stderr);
  const stat = fs.readFileSync('/proc/1/stat', 'utf8');
  const init = { boot_id: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), pid: 1, start_time: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] };
  fs.writeFileSync(fence('p1', 2), `${JSON.stringify(init)}\n`, { mode: 0o600 });
  const fresh = await runBin('dispatch', ['p1', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(fresh.code, 3, 'a fresh fence of a live claimer is a claim in progress');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(fence('p1', 2), old, old);
  const d2 = await runBin('dispatch', ['p1', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(d2.code, 0, d2.stderr);
  t.equal(statusOf(box, 'p1').fence, 3, 'a live claimer older than the lock stale time is skipped: it lost the lock, or never claimed');

  // A lock that is a link: refused with a clear line, not "busy" (or "skipped") forever.
  const target = path.join(path.dirname(box.repo), 'fresh-dir');
  fs.mkdirSync(target);
  fs.symlinkSync(target, path.join(box.stateDir, 'heartbeat.lock'));
  writeTask(box, 'hb', 'status: ready');
  const tick = await runBin('hb-tick', [], { cwd: box.repo, env: { ...box.env, TASK_MANAGER_WORKER_CMD: 'true' } });
  t.equal(tick.code, 4);
  t.match(tick.stderr, /refusing state file .*heartbeat\.lock: it is a symbolic link where a lock directory belongs; remove it/);
  t.notOk(tick.records.some((r) => r.skipped), 'never reported as another tick running');
  fs.symlinkSync(target, path.join(box.stateDir, 'dispatch-lk.lock'));
  const locked = await runBin('dispatch', ['lk', '--prompt', 'x', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(locked.code, 4);
  t.match(locked.records[0], { code: 'unsafe_state_file', message: /dispatch-lk\.lock: it is a symbolic link/ });
});

t.test('the git check costs one git ls-files per dispatch: the supervisor takes the answer its dispatcher found', async (t) => {
  const box = sandbox(t);
  const bin = path.join(path.dirname(box.repo), 'git-bin');
  const calls = path.join(path.dirname(box.repo), 'git-calls');
  fs.mkdirSync(bin);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(calls)}\nexec ${JSON.stringify(realGit)} "$@"\n`, { mode: 0o755 });
  const env = { ...box.env, PATH: `${bin}:${box.env.PATH}` };
  const d = await runBin('dispatch', ['one', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  // The tracked-file check lists a state directory (`ls-files -z -- .`); keeping a new worktree
  // out of the index asks git something else, once per worktree.
  const listings = fs.readFileSync(calls, 'utf8').split('\n').filter((l) => l.includes('ls-files -z'));
  t.equal(listings.length, 1, `one listing: ${listings.join(' | ')}`);
});
