#!/usr/bin/env node
// The benchmark: what operators feel, as ratios against a floor measured on the same
// machine in the same run. Prints NDJSON and a table; writes bench/results.json.
// `pnpm exec just bench` (builds first). Never asserted in tests.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRepo, writeStatuses, writeTasks } from './lib/fixtures.mjs';
import { cpuMs, median, timeCommand } from './lib/measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'tools', name, 'dist', 'bin.js');
const floors = path.join(root, 'bench', 'lib', 'floors.mjs');
const node = process.execPath;
const results = [];
const record = (measure, value, floor, goal, unit = 'ms') => {
  const r = { type: 'bench', measure, value: Math.round(value * 10) / 10, unit, floor: floor === null ? null : Math.round(floor * 10) / 10, ratio: floor ? Math.round((value / floor) * 100) / 100 : null, goal };
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
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

const started = Date.now();
const box = tempRepo();
try {
  // 1. --help of each bin against an empty node process.
  const empty = timeCommand(node, ['-e', '0'], { runs: 15 });
  for (const name of ['dispatch', 'dispatch-watch', 'dispatch-continue', 'hb-tick', 'worker-reap']) {
    record(`${name} --help`, timeCommand(node, [bin(name), '--help'], { runs: 15 }), empty, '<= 1.3x');
  }

  // 2. dispatch until running (a trivial worker, worktree already there) against spawning it from node.
  const spawnFloor = timeCommand(node, [floors, 'spawn-worker'], { runs: 9 });
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: "sh -c 'sleep 2' sh" };
  execFileSync(node, [bin('dispatch'), 'warm', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  const dispatchTimes = [];
  const stateDir = path.join(box.repo, 'tasks', 'logs');
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    execFileSync(node, [bin('dispatch'), 'warm', '--prompt', 'x'], { cwd: box.repo, env });
    dispatchTimes.push(performance.now() - t0);
    const s = readJson(path.join(stateDir, 'dispatch-warm.status.json'));
    try {
      process.kill(-s.worker.pid, 'SIGKILL');
    } catch {}
    await waitFor(() => {
      const now = readJson(path.join(stateDir, 'dispatch-warm.status.json'));
      return now && now.state !== 'running' && now.state !== 'starting';
    });
    await sleep(50);
  }
  record('dispatch until running (worktree exists)', median(dispatchTimes), spawnFloor, '<= 2x');

  // 3. Follow-up hand-off: previous run exits -> next run started (from the supervisor's history).
  const handoffs = [];
  for (let i = 0; i < 5; i++) {
    const slug = `handoff-${i}`;
    execFileSync(node, [bin('dispatch'), slug, '--prompt', 'a', '--worker-cmd', "sh -c 'sleep 1' sh"], { cwd: box.repo, env });
    const queued = JSON.parse(execFileSync(node, [bin('dispatch-continue'), slug, '--prompt', 'b'], { cwd: box.repo, env, encoding: 'utf8' }));
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
  record('follow-up hand-off (run exits -> next run started)', median(handoffs), null, '<= 50 ms');

  // 4. watch snapshot of 1,000 and 10,000 dispatches against reading and parsing the files.
  for (const count of [1000, 10000]) {
    const dir = path.join(box.base, `statuses-${count}`);
    writeStatuses(dir, count);
    const floor = timeCommand(node, [floors, 'read-statuses', dir], { runs: 5 });
    record(`dispatch-watch snapshot, ${count} dispatches`, timeCommand(node, [bin('dispatch-watch'), '--state-dir', dir], { runs: 5 }), floor, '<= 1.5x');
  }

  // 5. watch --follow: a status change -> its record; idle CPU over 10 s.
  {
    const dir = path.join(box.base, 'follow');
    writeStatuses(dir, 20);
    const child = spawn(node, [bin('dispatch-watch'), '--follow', '--state-dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
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
    record('dispatch-watch --follow: change -> record', median(latencies), null, '<= 100 ms');
    const cpu0 = cpuMs(child.pid);
    await sleep(10000);
    record('dispatch-watch --follow: idle CPU over 10 s', cpuMs(child.pid) - cpu0, null, '~0 ms', 'ms cpu');
    child.kill('SIGTERM');
  }

  // 6. hb-tick --dry-run over 1,000 and 10,000 task files against reading and parsing them.
  for (const count of [1000, 10000]) {
    const dir = path.join(box.base, `tasks-${count}`);
    writeTasks(dir, count);
    const floor = timeCommand(node, [floors, 'read-tasks', dir], { runs: 3 });
    const state = path.join(box.base, `tick-state-${count}`);
    record(`hb-tick --dry-run, ${count} task files`, timeCommand(node, [bin('hb-tick'), '--dry-run', '--tasks-dir', dir, '--state-dir', state], { runs: 3 }), floor, '<= 2x');
  }

  // 7. NDJSON pass-through of 100,000 records against a bare readline + JSON.parse loop.
  {
    const input = Array.from({ length: 100000 }, (_, i) => JSON.stringify({ slug: `t-${i}`, status: 'blocked', priority: 'p2' })).join('\n') + '\n';
    const floor = timeCommand(node, [floors, 'readline'], { runs: 3, input });
    const state = path.join(box.base, 'pass-state');
    record('NDJSON pass-through, 100,000 records (hb-tick - --dry-run)', timeCommand(node, [bin('hb-tick'), '-', '--dry-run', '--state-dir', state], { runs: 3, input }), floor, '<= 1.5x');
  }

  // 8. Claim and release of a slug's critical section against a bare mkdir + rmdir pair.
  {
    const dir = path.join(box.base, 'locks');
    fs.mkdirSync(dir);
    const floor = median([1, 2, 3].map(() => Number(execFileSync(node, [floors, 'mkdir-rmdir', dir], { encoding: 'utf8' }))));
    const section = median([1, 2, 3].map(() => Number(execFileSync(node, [floors, 'critical-section', dir], { encoding: 'utf8' }))));
    record('critical section: claim + release', section, floor, '<= 3x');
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

const machine = { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), duration_s: Math.round((Date.now() - started) / 1000), date: new Date().toISOString() };
fs.writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);
process.stderr.write(`\n${'measure'.padEnd(58)} ${'value'.padStart(9)} ${'floor'.padStart(8)} ${'ratio'.padStart(6)}  goal\n`);
for (const r of results) {
  process.stderr.write(`${r.measure.padEnd(58)} ${`${r.value} ${r.unit === 'ms' ? 'ms' : 'cpu'}`.padStart(9)} ${String(r.floor ?? '-').padStart(8)} ${String(r.ratio ?? '-').padStart(6)}  ${r.goal}\n`);
}
process.stderr.write(`\n${machine.node} on ${machine.platform}, ${machine.cpus} cores (${machine.cpu_model}); ${machine.duration_s} s; bench/results.json\n`);
