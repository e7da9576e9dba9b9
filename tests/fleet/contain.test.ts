// A run dies with its supervisor (spawnWorker's `contain`), and a guard kills the run of
// a frozen supervisor (supervisor/run-guard.ts). Real processes: a small script plays the
// supervisor (spawns `sh -c 'setsid sleep 600 & sleep 600'` through the built core, feeds
// a guard, stops the run), and the test kills or freezes it and watches /proc.
//
// CONTAIN_ROUNDS=N repeats the kill -9 and SIGSTOP measurements N times and prints the medians
// (docs/reliability.md, "A run dies with its supervisor").
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { stopRun } from '@task-manager/core/liveness/stop-run';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const requireCore = createRequire(path.join(ROOT, 'package.json'));
const coreUrl = (name: string) => pathToFileURL(requireCore.resolve(`@task-manager/core/${name}`)).href;
const TOKEN_ENV = 'TASK_MANAGER_RUN_TOKEN';
const NOBODY = { uid: 65534, gid: 65534 };
const ROUNDS = Math.max(1, Number(process.env.CONTAIN_ROUNDS ?? 3));
// The guard rounds take a budget each: one unless a measurement asks for more.
const GUARD_ROUNDS = process.env.CONTAIN_ROUNDS ? ROUNDS : 1;
const isRoot = process.getuid?.() === 0;

const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Waits for a condition, polling every 10 ms; `timeoutMs` is a generous failure deadline, not a pause. */
const waitFor = async <T>(check: () => T, what: string, timeoutMs = 20_000): Promise<T> => {
  const deadline = monoMs() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (monoMs() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

interface Proc {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
}

const statOf = (pid: number): Proc | undefined => {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0] as string, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) };
  } catch {
    return undefined;
  }
};

const alive = (pid: number | undefined): boolean => {
  const s = pid ? statOf(pid) : undefined;
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
};

/** Every live (not zombie) process carrying the run's token, read from /proc as the test (root) sees it. */
const runProcs = (token: string): Proc[] => {
  const entry = `${TOKEN_ENV}=${token}`;
  const found: Proc[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry)) continue;
    } catch {
      continue;
    }
    const s = statOf(pid);
    if (s && s.state !== 'Z' && s.state !== 'X') found.push(s);
  }
  return found;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

// The supervisor's part, through the built core module (what one-run.ts will call).
const PLAYER = `
import { spawnWorker } from ${JSON.stringify(coreUrl('supervisor/spawn-worker'))};
import { startGuard } from ${JSON.stringify(coreUrl('supervisor/run-guard'))};
import { stopRun } from ${JSON.stringify(coreUrl('liveness/stop-run'))};
import { runProcesses } from ${JSON.stringify(coreUrl('liveness/run-processes'))};
const cfg = JSON.parse(process.argv[2]);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const monoMs = () => Number(process.hrtime.bigint()) / 1e6;
const w = spawnWorker({ file: 'sh', args: ['-c', 'setsid sleep 600 & sleep 600'] }, { cwd: cfg.dir, log: cfg.log, slug: 'fleet', runId: 'run-1', token: cfg.token, contain: cfg.contain });
if (!w.identity) {
  say({ error: await w.exited });
  process.exit(1);
}
w.exited.then((exit) => say({ exit }));
const run = { worker: w.identity, token: cfg.token };
while (runProcesses(run).length < cfg.up) await new Promise((r) => setTimeout(r, 5));
say({ up: w.identity, uid: process.getuid() });
if (cfg.guard) {
  const g = startGuard({ pgid: w.identity.pid, token: cfg.token, budgetMs: cfg.guard.budgetMs, log: cfg.log });
  say({ guard: g.pid });
  let n = 0;
  const timer = setInterval(async () => {
    // Timed before the write: the guard may read it before this process runs again.
    const at = monoMs();
    g.feed(cfg.guard.budgetMs);
    say({ fed: ++n, at });
    if (n === cfg.guard.stopAfter) {
      clearInterval(timer);
      await g.stop();
      say({ guardStopped: true, fired: g.fired() });
    }
  }, cfg.guard.feedEveryMs);
}
if (cfg.stop) {
  const started = monoMs();
  const result = await stopRun(run, { graceMs: cfg.stop.graceMs, firstSignals: cfg.stop.signals });
  say({ stopped: result, ms: monoMs() - started, left: runProcesses(run).map((p) => p.pid) });
}
setInterval(() => {}, 1 << 30);
`;

interface PlayerConfig {
  contain: boolean;
  guard?: { budgetMs: number; feedEveryMs: number; stopAfter?: number };
  stop?: { graceMs: number; signals?: string[] };
  nobody?: boolean;
}

interface Player {
  child: ChildProcess;
  token: string;
  dir: string;
  log: string;
  lines: Record<string, any>[];
  line(key: string, what?: string, extra?: (l: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

/** Starts the script that plays the supervisor; the teardown kills it and whatever the run left. */
const startPlayer = (t: { teardown(fn: () => void): void }, config: PlayerConfig): Player => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-contain-')));
  const script = path.join(dir, 'player.mjs');
  fs.writeFileSync(script, PLAYER, { mode: 0o644 });
  // A state directory the player's user owns (the log is opened owner-only).
  if (config.nobody) fs.chownSync(dir, NOBODY.uid, NOBODY.gid);
  const token = `contain-${randomBytes(8).toString('hex')}`;
  const log = path.join(dir, 'run.log');
  const cfg = JSON.stringify({ ...config, dir, log, token, up: config.contain ? 4 : 3 });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C' };
  const argv = [process.execPath, script, cfg];
  const child = config.nobody
    ? spawn('setpriv', [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--', ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0] as string, argv.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, any>[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p));
  });
  child.stderr?.on('data', (d) => (stderr += d));
  t.teardown(() => {
    try {
      child.kill('SIGKILL');
    } catch {}
    for (const p of runProcs(token)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const line = (key: string, what = key, extra: (l: Record<string, any>) => boolean = () => true): Promise<Record<string, any>> =>
    waitFor<Record<string, any> | undefined>(
      () => {
        const error = lines.find((l) => l.error);
        if (error) throw new Error(`the player could not start the run: ${JSON.stringify(error)}`);
        if (child.exitCode !== null && !lines.some((l) => key in l)) throw new Error(`the player exited ${child.exitCode}: ${stderr}`);
        return [...lines].reverse().find((l) => key in l && extra(l));
      },
      `the player's ${what}`,
    ) as Promise<Record<string, any>>;
  return { child, token, dir, log, lines, line };
};

const log = (player: Player): string => (fs.existsSync(player.log) ? fs.readFileSync(player.log, 'utf8') : '');
const usersNs = (pid: number | string): string => fs.readlinkSync(`/proc/${pid}/ns/user`);
const uidOf = (pid: number): number => Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** The run is up with every process the test expects: the worker group, and a grandchild in a session of its own. */
const runUp = async (player: Player, count: number): Promise<{ procs: Proc[]; pgid: number }> => {
  const up = await player.line('up');
  const pgid = up.up.pid as number;
  const procs = await waitFor<Proc[] | undefined>(() => {
    const now = runProcs(player.token);
    const sleeping = now.filter((p) => fs.readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').startsWith('sleep\0'));
    return now.length === count && sleeping.length === 2 && sleeping.some((p) => p.sid !== statOf(pgid)?.sid) ? now : undefined;
  }, 'the run up: both sleeps, one in a session of its own');
  return { procs: procs as Proc[], pgid };
};

const users = [{ name: 'root', nobody: false }, ...(isRoot ? [{ name: 'a user without root (nobody, through a user namespace)', nobody: true }] : [])];

for (const user of users) {
  t.test(`kill -9 of the supervisor kills every process of a contained run, setsid grandchildren too: as ${user.name}`, async (t) => {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const player = startPlayer(t, { contain: true, nobody: user.nobody });
      const { procs, pgid } = await runUp(player, 4);
      if (round === 0) {
        t.equal(procs.length, 4, 'unshare, sh (PID 1 of the namespace), sleep, and the setsid sleep');
        t.equal(procs.filter((p) => p.pgid === pgid).length, 3, 'the worker keeps its own process group');
        t.equal(procs.filter((p) => p.sid !== statOf(pgid)?.sid).length, 1, 'one escaped into a session of its own');
        t.equal(procs.find((p) => p.pid === pgid)?.ppid, player.child.pid, 'the process spawned is the group leader, a child of the supervisor');
        const inner = procs.find((p) => p.ppid === pgid) as Proc;
        t.not(fs.readlinkSync(`/proc/${inner.pid}/ns/pid`), fs.readlinkSync('/proc/self/ns/pid'), 'the worker is in a PID namespace of its own');
        if (user.nobody) {
          t.not(usersNs(inner.pid), usersNs('self'), 'without root, in a user namespace');
          t.equal(uidOf(inner.pid), NOBODY.uid, 'with the same uid as its supervisor');
        }
      }
      const killedAt = monoMs();
      process.kill(player.child.pid as number, 'SIGKILL');
      // Polled back to back: the resolution is one /proc scan.
      for (;;) {
        if (runProcs(player.token).length === 0) break;
        if (monoMs() - killedAt > 10_000) break;
        await new Promise((r) => setImmediate(r));
      }
      const ms = monoMs() - killedAt;
      t.same(runProcs(player.token), [], `round ${round + 1}: nothing of the run is left (${ms.toFixed(1)} ms)`);
      times.push(ms);
    }
    t.comment(`kill -9 of the supervisor -> last run process gone (${user.name}): median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms, n=${times.length}`);
    t.ok(Math.max(...times) < 5000, 'within a few seconds');
  });

  t.test(`a frozen supervisor (SIGSTOP): the guard kills the run after its budget: as ${user.name}`, async (t) => {
    const budgetMs = 1500;
    const overshoots: number[] = [];
    for (let round = 0; round < GUARD_ROUNDS; round++) {
      const player = startPlayer(t, { contain: true, nobody: user.nobody, guard: { budgetMs, feedEveryMs: 200 } });
      const { pgid } = await runUp(player, 4);
      const guardPid = (await player.line('guard')).guard as number;
      if (round === 0) {
        t.ok(alive(guardPid), 'the guard runs');
        t.not(statOf(guardPid)?.pgid, statOf(player.child.pid as number)?.pgid, 'in a process group of its own: a stop of the supervisor group does not freeze it');
      }
      await player.line('fed', 'third feed', (l) => l.fed >= 3);
      process.kill(player.child.pid as number, 'SIGSTOP');
      await waitFor(() => statOf(player.child.pid as number)?.state === 'T', 'the supervisor stopped');
      const lastFed = [...player.lines].reverse().find((l) => 'fed' in l)?.at as number;
      // Polled back to back: the resolution is one /proc scan.
      while (runProcs(player.token).length > 0 && monoMs() - lastFed < budgetMs + 15_000) await new Promise((r) => setImmediate(r));
      const after = monoMs() - lastFed;
      t.same(runProcs(player.token), [], `round ${round + 1}: the guard killed the run`);
      // Node's timers count whole milliseconds: up to 1 ms early is the guard's clock resolution.
      t.ok(after >= budgetMs - 1, `not before the budget: the run was gone ${after.toFixed(0)} ms after the last feed (budget ${budgetMs} ms)`);
      t.ok(after < budgetMs + 5000, 'and soon after it');
      overshoots.push(after - budgetMs);
      t.equal(statOf(player.child.pid as number)?.state, 'T', 'the supervisor is still alive (stopped): the guard did it, not its death');
      await waitFor(() => !alive(guardPid), 'the guard exited');
      t.match(log(player), new RegExp(`task-manager guard .*: no word from the supervisor for ${budgetMs} ms: killing the run \\(process group ${pgid} and every process with its token\\)`));
      t.match(log(player), /task-manager guard .*: the run is gone/);
    }
    t.comment(`SIGSTOP of the supervisor: run gone after last feed + budget + median ${median(overshoots).toFixed(1)} ms, max ${Math.max(...overshoots).toFixed(1)} ms, n=${overshoots.length} (${user.name})`);
  });

  t.test(`stopRun from the supervisor stops a contained run, verified: as ${user.name}`, async (t) => {
    const player = startPlayer(t, { contain: true, nobody: user.nobody, stop: { graceMs: 3000 } });
    const pgid = (await player.line('up')).up.pid as number;
    const stopped = await player.line('stopped');
    t.match(stopped, { stopped: { signalled: true }, left: [] }, 'stopRun returned: everything it signalled is gone');
    t.comment(`stopRun took ${stopped.ms.toFixed(0)} ms (killed: ${stopped.stopped.killed})`);
    t.same(runProcs(player.token), [], 'nothing of the run is left');
    t.notOk(alive(pgid), 'the worker is gone');
    t.match(await player.line('exit'), { exit: { spawnError: undefined } }, 'the supervisor saw its worker exit');
  });
}

t.test('without contain the worker outlives its supervisor (the file store: an orphan every local tool sees)', async (t) => {
  const player = startPlayer(t, { contain: false });
  const { procs, pgid } = await runUp(player, 3);
  process.kill(player.child.pid as number, 'SIGKILL');
  // Reparented: the kernel has dealt with the supervisor's death (a parent-death signal
  // would have been sent by now).
  await waitFor(() => statOf(pgid)?.ppid !== player.child.pid, 'the worker reparented');
  // Then watched for a second: a survival needs some time to be seen.
  const seen = procs.map((p) => p.pid).sort().join(' ');
  let lost = 0;
  for (const until = monoMs() + 1000; monoMs() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (runProcs(player.token).map((p) => p.pid).sort().join(' ') !== seen) lost++;
  }
  t.equal(lost, 0, 'every process of the run lived on, looked at every 50 ms for a second (the teardown kills them)');
});

t.test('a fed guard never kills, and stopped it exits without killing', async (t) => {
  const budgetMs = 600;
  const player = startPlayer(t, { contain: true, guard: { budgetMs, feedEveryMs: 150, stopAfter: 20 } });
  const { procs } = await runUp(player, 4);
  const guardPid = (await player.line('guard')).guard as number;
  // 20 feeds, 150 ms apart: five budgets' worth of time; the run must stay whole all along.
  let lost = 0;
  await waitFor(() => {
    if (runProcs(player.token).length !== procs.length) lost++;
    return player.lines.some((l) => l.guardStopped);
  }, 'the guard stopped after 20 feeds');
  t.equal(lost, 0, 'the run was whole at every look');
  t.match(player.lines.find((l) => l.guardStopped), { fired: false }, 'the guard did not fire');
  t.notOk(alive(guardPid), 'the guard is gone once stop() returns');
  t.equal(runProcs(player.token).length, procs.length, 'and the run lives on');
  t.notOk(log(player).includes('task-manager guard'), 'the guard had nothing to say');
});

t.test('the guard exits by itself once the run is gone (stopRun from another process, verified)', async (t) => {
  const player = startPlayer(t, { contain: true, guard: { budgetMs: 60_000, feedEveryMs: 200 } });
  const { pgid } = await runUp(player, 4);
  const guardPid = (await player.line('guard')).guard as number;
  const result = await stopRun({ worker: null, token: player.token }, { graceMs: 2000 });
  t.match(result, { signalled: true }, 'stopped, verified (stopRun throws if anything survives)');
  t.same(runProcs(player.token), []);
  t.notOk(alive(pgid));
  await waitFor(() => !alive(guardPid), 'the guard exited');
  const fed = (await player.line('fed')).fed as number;
  await player.line('fed', 'a feed after the guard left', (l) => l.fed > fed + 2);
  t.ok(alive(player.child.pid), 'feeding a guard that is gone does not hurt the supervisor');
  t.notOk(log(player).includes('killing the run'), 'the guard killed nothing');
});

t.test('the supervisor dying closes the guard pipe: the guard kills at once (an uncontained run, setsid grandchild too)', async (t) => {
  const player = startPlayer(t, { contain: false, guard: { budgetMs: 60_000, feedEveryMs: 200 } });
  await runUp(player, 3);
  const guardPid = (await player.line('guard')).guard as number;
  const killedAt = monoMs();
  process.kill(player.child.pid as number, 'SIGKILL');
  await waitFor(() => runProcs(player.token).length === 0, 'the run killed', 10_000);
  t.ok(monoMs() - killedAt < 10_000, `long before the 60 s budget (${(monoMs() - killedAt).toFixed(0)} ms)`);
  await waitFor(() => !alive(guardPid), 'the guard exited');
  t.match(log(player), /the supervisor is gone \(its pipe to the guard closed\): killing the run \(process group \d+ and every process with its token\)/);
});

t.test('the bundled guard (dist/bin/run-guard.cjs) is the same guard', async (t) => {
  const bundled = path.join(ROOT, 'dist', 'bin', 'run-guard.cjs');
  t.ok(fs.existsSync(bundled), 'built by scripts/bundle.mjs');
  const token = `bundled-${randomBytes(8).toString('hex')}`;
  const run = spawn('sh', ['-c', 'setsid sleep 600 & sleep 600'], { detached: true, stdio: 'ignore', env: { ...process.env, [TOKEN_ENV]: token } });
  t.teardown(() => {
    for (const p of runProcs(token)) process.kill(p.pid, 'SIGKILL');
  });
  await waitFor(() => runProcs(token).length === 3, 'the run is up');
  const usage = spawn(process.execPath, [bundled, String(run.pid), '1000'], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  t.equal(await new Promise((r) => usage.once('exit', r)), 2, 'without its token it refuses to start');
  const guard = spawn(process.execPath, [bundled, String(run.pid), '60000'], { stdio: ['pipe', 'ignore', 'pipe'], env: { PATH: process.env.PATH, TASK_MANAGER_GUARD_TOKEN: token } });
  let said = '';
  guard.stderr?.on('data', (d) => (said += d));
  guard.stdin?.write('60000\n');
  guard.stdin?.end();
  t.equal(await new Promise((r) => guard.once('exit', r)), 3, 'its pipe closed without "stop": it killed the run');
  t.same(runProcs(token), [], 'the whole run, the setsid grandchild included');
  t.match(said, /the supervisor is gone/);
});

t.test('a contained program is PID 1 of its namespace: a polite signal reaches it only if it handles it', async (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-contain-')));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { spawnWorker } = (await import(coreUrl('supervisor/spawn-worker'))) as typeof import('@task-manager/core/supervisor/spawn-worker');
  const start = (script: string) => {
    const token = `pid1-${randomBytes(8).toString('hex')}`;
    t.teardown(() => {
      for (const p of runProcs(token)) process.kill(p.pid, 'SIGKILL');
    });
    const spawned = spawnWorker({ file: 'sh', args: ['-c', script] }, { cwd: dir, log: path.join(dir, 'run.log'), slug: 's', runId: 'r', token, contain: true });
    return { token, spawned };
  };
  // A shell that traps SIGTERM: it gets the signal and ends at once.
  const handled = start('trap "exit 0" TERM; sleep 600 & wait');
  await waitFor(() => runProcs(handled.token).length === 3, 'the run up');
  const politeAt = monoMs();
  t.match(await stopRun({ worker: handled.spawned.identity ?? null, token: handled.token }, { graceMs: 10_000 }), { signalled: true, killed: false }, 'SIGTERM was enough');
  t.ok(monoMs() - politeAt < 10_000, 'well within the grace');
  t.same(await handled.spawned.exited, { exitCode: 0, signal: null }, 'its own exit code, through unshare');
  // `exec sleep`: sleep is PID 1, without a handler: SIGTERM is dropped, SIGKILL after the grace.
  const unhandled = start('exec sleep 600');
  await waitFor(() => runProcs(unhandled.token).some((p) => fs.readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').startsWith('sleep\0')), 'the run up');
  const graceMs = 500;
  const stopAt = monoMs();
  t.match(await stopRun({ worker: unhandled.spawned.identity ?? null, token: unhandled.token }, { graceMs }), { signalled: true, killed: true }, 'SIGKILL was needed');
  t.ok(monoMs() - stopAt >= graceMs, 'after the whole grace');
  t.same(runProcs(unhandled.token), [], 'and nothing is left');
  t.same(await unhandled.spawned.exited, { exitCode: null, signal: 'SIGKILL' });
});
