// Small timing helpers for the benchmark: medians of repeated runs of real processes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Median wall time (ms) of running a command to completion. */
export const timeCommand = (file, args, { runs = 9, cwd, env, input } = {}) => {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(file, args, { cwd, env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 4) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
  }
  return median(times);
};

/** CPU time (ms) a process has used, from /proc. */
export const cpuMs = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return (ticks * 1000) / hz;
};

export const startProcess = (file, args, options) => spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options });
