#!/usr/bin/env node
// Resident memory of idle supervisors started by a given dispatch entry point, against an
// idle node: N tasks with a sleeping worker each, in a temp repository; all stopped after.
//   node bench/measure/supervisor-rss.mjs [N] [SECONDS]   compares tools/dispatch/dist/bin.js
//   (tsc -b, which starts the tsc-built supervisor) with dist/bin/dispatch.cjs (the bundle),
//   SECONDS (default 1.5) after the last start: later, V8's memory reducer has handed some
//   memory back, and its optimizing compiler may have run on the idle polling.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRepo } from '../lib/fixtures.mjs';
import { median, procKiB } from '../lib/measure.mjs';
import { leaveOutExtraCaCerts } from '../lib/ca-certs.mjs';

leaveOutExtraCaCerts('supervisor-rss');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const n = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 1.5);
const entries = { 'tsc -b output': path.join(root, 'tools', 'dispatch', 'dist', 'bin.js'), bundle: path.join(root, 'dist', 'bin', 'dispatch.cjs') };
for (const [label, bin] of Object.entries(entries)) {
  const box = tempRepo();
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  const logs = path.join(box.repo, 'tasks', 'logs');
  try {
    const pids = [];
    for (let i = 0; i < n; i++) pids.push(JSON.parse(execFileSync(process.execPath, [bin, `t${i}`, '--prompt', 'x', '--worker-cmd', "sh -c 'sleep 3600' sh"], { cwd: box.repo, env: box.env, encoding: 'utf8' })).supervisor_pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const mib = (pid, field) => procKiB(pid, field) / 1024;
    const row = (field) => `${field} ${median(pids.map((p) => mib(p, field))).toFixed(1)} vs ${mib(idle.pid, field).toFixed(1)} MiB`;
    console.log(`${label.padEnd(14)} ${['VmRSS', 'RssAnon', 'RssFile'].map(row).join('; ')}  (median of ${n}, ${seconds} s after; against an idle node -e)`);
  } finally {
    idle.kill();
    for (const name of fs.readdirSync(logs).filter((x) => x.endsWith('.status.json'))) {
      const s = JSON.parse(fs.readFileSync(path.join(logs, name), 'utf8'));
      for (const pid of [s.worker?.pid, s.owner?.pid]) try { if (pid) process.kill(-pid, 'SIGKILL'); } catch {}
    }
    box.cleanup();
  }
}
