import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { identityOf, isAlive, selfIdentity } from '@task-manager/core/liveness/identity';
import { parseStat } from '@task-manager/core/liveness/proc';
import { runProcesses } from '@task-manager/core/liveness/run-processes';
import { stopRun } from '@task-manager/core/liveness/stop-run';
import { fixture, pidAlive, waitFor } from '../fixtures/e2e.js';

const tmp = (t: { teardown: (f: () => void) => void }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-lock-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', resolve));
const output = (child: ChildProcess) => {
  let text = '';
  child.stdout?.on('data', (d) => (text += d));
  return () => text;
};

t.test('identity: pid, start time and boot id must all match', async (t) => {
  const me = selfIdentity();
  t.ok(isAlive(me));
  t.notOk(isAlive({ ...me, start_time: String(Number(me.start_time) + 1) }), 'a reused pid (another start time) is dead');
  t.notOk(isAlive({ ...me, boot_id: 'another-boot' }), 'another boot is dead');
  t.notOk(isAlive(null));
  const child = spawn('sleep', ['30']);
  const id = identityOf(child.pid as number);
  t.ok(id && isAlive(id));
  child.kill('SIGKILL');
  await exited(child);
  t.notOk(isAlive(id), 'dead after it exits');
  t.same(parseStat('42 (a) b) c) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0'), { pid: 42, state: 'S', ppid: 1, pgid: 42, sid: 42, startTime: '777' }, 'a command name with ") " in it');
});

t.test('stopRun: the whole group and a setsid grandchild carrying the token go; a pid reuser is never signalled', async (t) => {
  const pidsFile = path.join(tmp(t), 'pids');
  const token = 'tok-' + Date.now();
  const worker = spawn(process.execPath, [fixture('workers', 'hostile.mjs')], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, HOSTILE_PIDS: pidsFile, TASK_MANAGER_RUN_TOKEN: token },
  });
  const { grandchild } = await waitFor(() => fs.existsSync(pidsFile) && JSON.parse(fs.readFileSync(pidsFile, 'utf8')), 'hostile started');
  const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  t.teardown(() => bystander.kill('SIGKILL'));
  const handle = { worker: identityOf(worker.pid as number) ?? null, token };
  const found = runProcesses(handle).map((p) => p.pid).sort();
  t.same(found, [worker.pid, grandchild].sort(), 'group member and token carrier, nothing else');
  const result = await stopRun(handle, { graceMs: 300 });
  t.same(result, { signalled: true, killed: true }, 'SIGTERM was ignored, SIGKILL needed');
  t.notOk(pidAlive(worker.pid), 'worker gone');
  t.notOk(pidAlive(grandchild), 'grandchild gone');
  t.same(runProcesses(handle), [], 'verified empty');

  const reused = { worker: { ...(identityOf(bystander.pid as number) as { boot_id: string; pid: number; start_time: string }), start_time: '1' }, token: 'not-its-token' };
  t.same(runProcesses(reused), [], 'the pid reuser does not belong to the run');
  t.same(await stopRun(reused, { graceMs: 100 }), { signalled: false, killed: false });
  t.ok(pidAlive(bystander.pid), 'and it was never signalled');
});

t.test('the critical section excludes other processes', async (t) => {
  const dir = tmp(t);
  const counter = path.join(dir, 'counter');
  fs.writeFileSync(counter, '0');
  const lock = path.join(dir, 'dispatch-x.lock');
  const children = [1, 2, 3, 4].map(() => spawn(process.execPath, [fixture('core', 'counter.mjs'), lock, counter, '50'], { stdio: 'inherit' }));
  const codes = await Promise.all(children.map(exited));
  t.same(codes, [0, 0, 0, 0]);
  t.equal(fs.readFileSync(counter, 'utf8'), '200', 'no lost update in 200 read-modify-writes');
  t.notOk(fs.existsSync(lock), 'the lock is gone after the holders exit');
});

t.test('a compromised lock aborts the section without killing the process', async (t) => {
  const dir = tmp(t);
  const lock = path.join(dir, 'dispatch-x.lock');
  const start = () => {
    const child = spawn(process.execPath, [fixture('core', 'hold-lock.mjs'), lock], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.teardown(() => child.kill('SIGKILL'));
    return { child, exit: exited(child), out: output(child) };
  };
  const holder = start();
  await waitFor(() => holder.out().includes('held'), 'first holder');
  // Age the lock as if its holder had been stopped past the stale time: a second
  // process takes it over. Which of the two then finds the lock is not its own depends
  // on proper-lockfile's mtime rounding; what matters is that one does, and that it
  // leaves its section without dying of ECOMPROMISED.
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lock, old, old);
  const taker = start();
  await waitFor(() => taker.out().includes('held'), 'second holder took the stale lock');
  const loser = await waitFor(() => [holder, taker].find((p) => p.out().includes('lost: lock_lost')), 'one of them notices', 15_000);
  t.equal(await loser.exit, 0, 'no uncaught ECOMPROMISED');
  t.match(loser.out(), /held\nlost: lock_lost\nalive after the section\n/);
});

t.test('proper-lockfile#121: two processes both enter the section, and the fence lets only one claim', async (t) => {
  const dir = tmp(t);
  const lock = path.join(dir, 'dispatch-race.lock');
  fs.mkdirSync(lock);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lock, old, old); // a stale lock both will reclaim
  const run = (name: string, other: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, [fixture('core', 'race-claim.mjs'), dir, name, other], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LINGER_MS: '3500', ...env },
    });
    const out = output(child);
    return exited(child).then((code) => ({ code, result: JSON.parse(out()) }));
  };
  const [a, b] = await Promise.all([run('a', 'b', { DELAY_RMDIR_MS: '150' }), run('b', 'a', { DELAY_RMDIR_MS: '600' })]);
  t.equal(a.code, 0, 'a survived (no uncaught compromise)');
  t.equal(b.code, 0, 'b survived');
  t.ok(a.result.bothInside && b.result.bothInside, 'the race happened: both held the lock at once');
  t.equal(a.result.fence, b.result.fence, 'both decided on the same fence number');
  t.equal([a.result.won, b.result.won].filter(Boolean).length, 1, 'exactly one claim won');
});
