#!/usr/bin/env node
// CPU a bundled supervisor spends starting, and then following a flood of worker output:
// N tasks one after another, each a command worker that waits a second, prints LINES lines
// (200,000 by default) to its log and sleeps; the supervisor's on-CPU time from /proc,
// read once the worker runs and again once the supervisor has been quiet for 500 ms.
// With `claude`, the worker is a stand-in for claude printing stream-json events instead
// (each line parsed as JSON by the claude adapter).
//   node bench/measure/supervisor-flood.mjs [N] [LINES] [command|claude]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRepo } from '../lib/fixtures.mjs';
import { median } from '../lib/measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const n = Number(process.argv[2] ?? 5);
const lines = Number(process.argv[3] ?? 200_000);
const bin = path.join(root, 'dist', 'bin', 'dispatch.cjs');
// On-CPU time (ms) of all the process's threads, from schedstat (nanoseconds; stat counts 10 ms ticks).
const cpuMs = (pid) => fs.readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => { try { return sum + Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6; } catch { return sum; } }, 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const box = tempRepo();
const logs = path.join(box.repo, 'tasks', 'logs');
const kind = process.argv[4] ?? 'command';
const fakeClaude = path.join(box.base, 'claude');
const event = (sid) => JSON.stringify({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: 'what an agent prints while it works' }] }, session_id: sid });
fs.writeFileSync(
  fakeClaude,
  `#!${process.execPath}
const sid = process.argv[process.argv.indexOf('--session-id') + 1];
setTimeout(() => {
  process.stdout.write((${JSON.stringify(event('SID'))}.replace('SID', sid) + '\\n').repeat(${lines}));
  setTimeout(() => {}, 60_000);
}, 1000);
`,
  { mode: 0o755 },
);
const worker = `sh -c 'sleep 1; seq -f "line %g of the flood: what an agent prints while it works" ${lines}; sleep 60' sh`;
const args = kind === 'claude' ? ['--worker', 'claude'] : ['--worker-cmd', worker];
const env = kind === 'claude' ? { ...box.env, TASK_MANAGER_CLAUDE_BIN: fakeClaude } : box.env;
const start = [];
const flood = [];
try {
  for (let i = 0; i < n; i++) {
    const pid = JSON.parse(execFileSync(process.execPath, [bin, `f${i}`, '--prompt', 'x', ...args], { cwd: box.repo, env, encoding: 'utf8' })).supervisor_pid;
    await sleep(700);
    const before = cpuMs(pid);
    // Quiet: the log holds every line and the CPU has not moved for 500 ms.
    const log = path.join(logs, `dispatch-f${i}.log`);
    let last = -1;
    for (let t = 0; t < 600; t++) {
      await sleep(100);
      const now = cpuMs(pid);
      const done = fs.statSync(log).size > lines * 50;
      if (done && now - last < 1 && t % 5 === 4) break;
      if (t % 5 === 4) last = now;
    }
    start.push(before);
    flood.push(cpuMs(pid) - before);
  }
  console.log(`supervisor CPU (${kind} worker): start-up ${median(start).toFixed(0)} ms, following ${lines} lines ${median(flood).toFixed(0)} ms  (median of ${n}; start-up ${start.map(Math.round).join(' ')}; flood ${flood.map(Math.round).join(' ')})`);
} finally {
  for (const name of fs.readdirSync(logs).filter((x) => x.endsWith('.status.json'))) {
    const s = JSON.parse(fs.readFileSync(path.join(logs, name), 'utf8'));
    for (const pid of [s.worker?.pid, s.owner?.pid]) try { if (pid) process.kill(-pid, 'SIGKILL'); } catch {}
  }
  box.cleanup();
}
