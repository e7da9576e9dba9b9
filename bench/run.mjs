#!/usr/bin/env node
// The benchmark: what operators feel, as ratios against a floor measured on the same
// machine in the same run. Prints NDJSON and a table; writes bench/results.json.
// `pnpm exec just bench` (builds first). Never asserted in tests.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRepo, writeStatuses, writeTasks } from './lib/fixtures.mjs';
import { cpuMs, median, paired, pairedRatios, procKiB, pssKiB } from './lib/measure.mjs';
import { leaveOutExtraCaCerts } from './lib/ca-certs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// What the user runs: the shims in scripts/task-manager/ (links to the bundled bins).
const shim = (name) => path.join(root, 'scripts', 'task-manager', name);
const floors = path.join(root, 'bench', 'lib', 'floors.mjs');
const node = process.execPath;
const IDLE = [node, '-e', 'setInterval(() => {}, 1e6)'];
const results = [];
const round = (x, digits = 1) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
// A goal is '<= 1.15x' (on the ratio) or '<= 50 ms' (on the value); '-' is no goal.
const met = (r) => {
  const m = /^<= ([\d.]+)\s*(x|ms)/.exec(r.goal);
  if (!m) return null;
  return (m[2] === 'x' ? r.ratio : r.value) <= Number(m[1]);
};
const record = (measure, m, goal, unit = 'ms', extra = {}) => {
  const r = { type: 'bench', measure, value: round(m.value), unit, floor: round(m.floor ?? null), ratio: m.ratio ? round(m.ratio, 2) : null, spread: m.spread ? m.spread.map((x) => round(x, 2)) : null, goal, ...extra };
  r.met = met(r);
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return r;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (check, ms = 20000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = check();
    if (v) return v;
    await sleep(2);
  }
  throw new Error('bench: timed out');
};
const readJson = (f) => {
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
};
const kill = (pid) => {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {}
};

const caCerts = leaveOutExtraCaCerts('bench');
const started = Date.now();
const box = tempRepo();
const stateDir = path.join(box.repo, 'tasks', 'logs');
const curves = { watch: {}, tick: {} };
try {
  // 1. --help of each bin through its shim (what the user runs) against an empty node process.
  for (const name of ['dispatch', 'dispatch-watch', 'dispatch-continue', 'hb-tick', 'worker-reap']) {
    record(`${name} --help (shim)`, paired([node, '-e', '0'], [shim(name), '--help'], { runs: 15 }), '<= 1.15x');
  }
  record('scripts/dispatch --help (legacy name)', paired([node, '-e', '0'], [path.join(root, 'scripts', 'dispatch'), '--help'], { runs: 9 }), '<= 1.15x');

  // 2. dispatch until running (a trivial worker) against spawning it from node: with the
  //    worktree already there, and for a new task (git worktree add on the way).
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: "sh -c 'sleep 2' sh" };
  execFileSync(shim('dispatch'), ['warm', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  const dispatchOnce = async (slug) => {
    const t0 = performance.now();
    execFileSync(shim('dispatch'), [slug, '--prompt', 'x'], { cwd: box.repo, env });
    const ms = performance.now() - t0;
    const file = path.join(stateDir, `dispatch-${slug}.status.json`);
    kill(readJson(file)?.worker?.pid);
    await waitFor(() => {
      const now = readJson(file);
      return now && now.state !== 'running' && now.state !== 'starting';
    });
    await sleep(50);
    return ms;
  };
  const spawnFloor = () => {
    const t0 = performance.now();
    execFileSync(node, [floors, 'spawn-worker']);
    return performance.now() - t0;
  };
  for (const [label, slugOf] of [['worktree exists', () => 'warm'], ['new worktree', (i) => `fresh-${i}`]]) {
    const f = [];
    const v = [];
    for (let i = 0; i < 9; i++) {
      f.push(spawnFloor());
      v.push(await dispatchOnce(slugOf(i)));
    }
    record(`dispatch until running (${label})`, pairedRatios(f, v), '<= 2x');
  }

  // 3. Follow-up hand-off: previous run exits -> next run started (from the supervisor's history).
  const handoffs = [];
  for (let i = 0; i < 5; i++) {
    const slug = `handoff-${i}`;
    // The first run lasts 3 s, so the follow-up is queued behind it even on a loaded machine.
    execFileSync(shim('dispatch'), [slug, '--prompt', 'a', '--worker-cmd', "sh -c 'sleep 3' sh"], { cwd: box.repo, env });
    const queued = JSON.parse(execFileSync(shim('dispatch-continue'), [slug, '--prompt', 'b'], { cwd: box.repo, env, encoding: 'utf8' }));
    if (queued.result !== 'queued') throw new Error(`bench: the follow-up was ${queued.result}, not queued`);
    const events = await waitFor(() => {
      const text = fs.existsSync(path.join(stateDir, `dispatch-${slug}.history.jsonl`)) ? fs.readFileSync(path.join(stateDir, `dispatch-${slug}.history.jsonl`), 'utf8') : '';
      const ev = text.trim().split('\n').map((l) => JSON.parse(l));
      return ev.filter((e) => e.event === 'run_started').length >= 2 ? ev : undefined;
    });
    const ended = events.find((e) => e.event === 'run_ended');
    const next = events.filter((e) => e.event === 'run_started')[1];
    handoffs.push(Date.parse(next.ts) - Date.parse(ended.ts));
  }
  record('follow-up hand-off (run exits -> next run started)', { value: median(handoffs) }, '<= 50 ms');

  // 4. A live task's supervisor, idle, against an idle node: 100 tasks with a sleeping
  //    worker each (as a user with many tasks has), all stopped after.
  {
    const SUPERVISORS = 100;
    const idle = Array.from({ length: 5 }, () => spawn(IDLE[0], IDLE.slice(1), { stdio: 'ignore' }));
    const owners = [];
    try {
      for (let i = 0; i < SUPERVISORS; i++) {
        const out = JSON.parse(execFileSync(shim('dispatch'), [`live-${i}`, '--prompt', 'x', '--worker-cmd', "sh -c 'sleep 600' sh"], { cwd: box.repo, env, encoding: 'utf8' }));
        owners.push(out.supervisor_pid);
      }
      await sleep(2000);
      const rss = owners.map((pid) => procKiB(pid) / 1024);
      const idleRss = idle.map((c) => procKiB(c.pid) / 1024);
      const pss = owners.map((pid) => pssKiB(pid) / 1024);
      // Each supervisor against the median idle node (sampled at the same moment).
      const floor = median(idleRss);
      record('supervisor resident memory (VmRSS, idle task)', { value: median(rss), floor, ratio: median(rss) / floor, spread: [Math.min(...rss) / floor, Math.max(...rss) / floor] }, '<= 1.15x', 'MiB');
      const total = rss.reduce((x, y) => x + y, 0);
      record(`${SUPERVISORS} idle supervisors, sum of VmRSS`, { value: total, floor: floor * SUPERVISORS, ratio: total / (floor * SUPERVISORS) }, '<= 1.15x', 'MiB');
      // VmRSS counts the node binary's pages once per process; Pss shares them out.
      record(`${SUPERVISORS} idle supervisors, sum of Pss (memory actually used)`, { value: pss.reduce((x, y) => x + y, 0) }, '-', 'MiB');
    } finally {
      for (const c of idle) c.kill('SIGKILL');
      for (let i = 0; i < SUPERVISORS; i++) {
        const s = readJson(path.join(stateDir, `dispatch-live-${i}.status.json`));
        kill(s?.worker?.pid);
        kill(s?.owner?.pid);
      }
    }
  }

  // 5. Cost curves: watch snapshot over N status files against reading and parsing them;
  //    hb-tick - --dry-run over N task records against a bare readline + JSON.parse loop.
  const SIZES = [100, 1000, 10000, 100000];
  const RUNS = { 100: 11, 1000: 9, 10000: 5, 100000: 3 };
  for (const count of SIZES) {
    const dir = path.join(box.base, `statuses-${count}`);
    writeStatuses(dir, count);
    const m = paired([node, floors, 'read-statuses', dir], [shim('dispatch-watch'), '--state-dir', dir], { runs: RUNS[count] });
    curves.watch[count] = record(`dispatch-watch snapshot, ${count} dispatches`, m, count === 1000 ? '<= 1.3x' : '-');
    // Against a floor that also writes each status back out as NDJSON: what printing costs.
    if (count === 1000) record(`dispatch-watch snapshot, ${count}, against read + parse + print`, paired([node, floors, 'read-statuses-ndjson', dir], [shim('dispatch-watch'), '--state-dir', dir], { runs: RUNS[count] }), '-');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const count of SIZES) {
    const input = Array.from({ length: count }, (_, i) => JSON.stringify({ slug: `t-${i}`, status: 'blocked', priority: 'p2' })).join('\n') + '\n';
    const state = path.join(box.base, 'pass-state');
    const m = paired([node, floors, 'readline'], [shim('hb-tick'), '-', '--dry-run', '--state-dir', state], { runs: RUNS[count], input });
    curves.tick[count] = record(`NDJSON pass-through, ${count} records (hb-tick - --dry-run)`, m, count === 100000 ? '<= 1.5x' : '-');
  }

  // 6. watch --follow: a status change -> its record; idle CPU over 10 s.
  {
    const dir = path.join(box.base, 'follow');
    writeStatuses(dir, 20);
    const child = spawn(shim('dispatch-watch'), ['--follow', '--state-dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = [];
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      const parts = buffer.split('\n');
      buffer = parts.pop();
      for (const p of parts) lines.push({ at: performance.now(), r: JSON.parse(p) });
    });
    await waitFor(() => lines.length >= 20);
    const latencies = [];
    const file = path.join(dir, 'dispatch-task-00003.status.json');
    for (let i = 0; i < 7; i++) {
      const s = readJson(file);
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ ...s, reason: `change ${i}` }));
      const t0 = performance.now();
      fs.renameSync(tmp, file);
      const seen = await waitFor(() => lines.find((l) => l.r.reason === `change ${i}`));
      latencies.push(seen.at - t0);
      await sleep(100);
    }
    record('dispatch-watch --follow: change -> record', { value: median(latencies) }, '<= 100 ms');
    const cpu0 = cpuMs(child.pid);
    await sleep(10000);
    record('dispatch-watch --follow: idle CPU over 10 s', { value: cpuMs(child.pid) - cpu0 }, '<= 100 ms', 'ms cpu');
    child.kill('SIGTERM');
  }

  // 7. hb-tick --dry-run over 1,000 task files against reading and parsing them.
  {
    const dir = path.join(box.base, 'tasks-1000');
    writeTasks(dir, 1000);
    const state = path.join(box.base, 'tick-state-1000');
    record('hb-tick --dry-run, 1000 task files', paired([node, floors, 'read-tasks', dir], [shim('hb-tick'), '--dry-run', '--tasks-dir', dir, '--state-dir', state], { runs: 5 }), '<= 2x');
  }

  // 8. Claim and release of a slug's critical section against a bare mkdir + rmdir pair
  //    (paired blocks of 100 in one process, bench/lib/floors.mjs).
  {
    const dir = path.join(box.base, 'locks');
    fs.mkdirSync(dir);
    const { floors: f, values: v } = JSON.parse(execFileSync(node, [floors, 'critical-section', dir], { encoding: 'utf8' }));
    record('critical section: claim + release', pairedRatios(f, v), '<= 3x');
  }

  // 9. The PostgreSQL store beside the file store (a throwaway server on 127.0.0.1): a
  //    section with one write, a supervisor's hand-off, and a 10,000-dispatch snapshot.
  {
    const { startPgServer } = await import('../scripts/pg-server.mjs');
    const pg = await startPgServer();
    try {
      const url = new URL(pg.url);
      url.searchParams.set('schema', 'bench');
      const ops = (spec, dir) => JSON.parse(execFileSync(node, [path.join(root, 'bench', 'measure', 'store-ops.mjs'), spec, dir, 'ops', '200'], { encoding: 'utf8' }));
      const fileDir = path.join(box.base, 'store-ops');
      fs.mkdirSync(fileDir, { mode: 0o700 });
      const onFiles = ops('file', fileDir);
      const onPg = ops(url.toString(), path.join(box.base, 'store-ops-pg'));
      const row = (what, key) => {
        const f = median(onFiles[key]);
        const v = median(onPg[key]);
        record(`PostgreSQL store: ${what} (against the file store)`, { value: v, floor: f, ratio: v / f }, '-');
      };
      row('a section with one write (claim, queue)', 'section');
      row('a hand-off (two writes, two events)', 'handoff');
      const snapUrl = new URL(pg.url);
      snapUrl.searchParams.set('schema', 'snapshot');
      execFileSync(node, [path.join(root, 'bench', 'measure', 'store-ops.mjs'), snapUrl.toString(), box.base, 'import', '10000'], { encoding: 'utf8' });
      const dir = path.join(box.base, 'statuses-pg-floor');
      writeStatuses(dir, 10000);
      const m = paired([shim('dispatch-watch'), '--state-dir', dir], [shim('dispatch-watch'), '--state-dir', dir, '--store', snapUrl.toString()], { runs: 5 });
      record('dispatch-watch snapshot, 10000 dispatches, PostgreSQL (against files)', m, '-');
    } finally {
      await pg.stop();
    }
  }

  // 10. Several hosts: takeover after kill -9 of the holder's supervisor and after a
  //     partition, and how soon a partitioned host stops its run, as a multiple of the TTL
  //     (bench/measure/takeover.mjs: two simulated hosts, a lease of 4 s, 3 rounds).
  {
    const { measureTakeover } = await import('./measure/takeover.mjs');
    for (const r of await measureTakeover({ rounds: 3, ttlSeconds: 4 })) {
      results.push(r);
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  }
} finally {
  // Stop anything a benchmark started, then remove the fixtures.
  for (const name of fs.existsSync(path.join(box.repo, 'tasks', 'logs')) ? fs.readdirSync(path.join(box.repo, 'tasks', 'logs')) : []) {
    if (!name.endsWith('.status.json')) continue;
    const s = readJson(path.join(box.repo, 'tasks', 'logs', name));
    for (const pid of [s?.owner?.pid, s?.worker?.pid]) {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {}
    }
  }
  box.cleanup();
}

const machine = { node_extra_ca_certs: caCerts, node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((x) => round(x, 1)), duration_s: Math.round((Date.now() - started) / 1000), date: new Date().toISOString() };
fs.writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);
const W = 62;
process.stderr.write(`\n${'measure'.padEnd(W)} ${'value'.padStart(12)} ${'floor'.padStart(8)} ${'ratio'.padStart(6)} ${'spread'.padStart(11)}  goal\n`);
for (const r of results) {
  const unit = r.unit === 'ms cpu' ? 'cpu' : r.unit;
  const verdict = r.met === null ? '' : r.met ? '  met' : '  MISSED';
  process.stderr.write(`${r.measure.padEnd(W)} ${`${r.value} ${unit}`.padStart(12)} ${String(r.floor ?? '-').padStart(8)} ${String(r.ratio ?? '-').padStart(6)} ${(r.spread ? r.spread.join('-') : '-').padStart(11)}  ${r.goal}${verdict}\n`);
}
// The cost curves: ratio against the floor by size; a ratio that grows with N is worse than linear.
process.stderr.write(`\n${'N'.padStart(8)} ${'watch snapshot'.padStart(16)} ${'hb-tick - --dry-run'.padStart(20)}   (ratio against the floor)\n`);
for (const n of Object.keys(curves.watch)) process.stderr.write(`${n.padStart(8)} ${String(curves.watch[n].ratio).padStart(16)} ${String(curves.tick[n]?.ratio ?? '-').padStart(20)}\n`);
process.stderr.write(`\n${machine.node} on ${machine.platform}, ${machine.cpus} cores (${machine.cpu_model}), load ${machine.loadavg.join(' ')}; NODE_EXTRA_CA_CERTS ${machine.node_extra_ca_certs}; ${machine.duration_s} s; bench/results.json\n`);
