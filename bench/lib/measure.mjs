// Small timing helpers for the benchmark: medians of paired runs of real processes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const run = (file, args, { cwd, env, input } = {}) => {
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd, env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 4) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return ms;
};

/** Median wall time (ms) of running a command to completion. */
export const timeCommand = (file, args, { runs = 9, ...options } = {}) => median(Array.from({ length: runs }, () => run(file, args, options)));

/**
 * Paired runs: the floor, then the command, `runs` times (order alternating), so both
 * see the same load. Returns the medians of each and the median of the paired ratios,
 * with the spread of those ratios (min, max).
 */
export const pairedRatios = (floors, values) => {
  const ratios = values.map((v, i) => v / floors[i]);
  return { value: median(values), floor: median(floors), ratio: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] };
};

export const paired = (floorCmd, cmd, { runs = 9, floorOptions, ...options } = {}) => {
  const floors = [];
  const values = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      floors.push(run(floorCmd[0], floorCmd.slice(1), floorOptions ?? options));
      values.push(run(cmd[0], cmd.slice(1), options));
    } else {
      values.push(run(cmd[0], cmd.slice(1), options));
      floors.push(run(floorCmd[0], floorCmd.slice(1), floorOptions ?? options));
    }
  }
  return pairedRatios(floors, values);
};

/** A process's resident memory (KiB) from /proc: VmRSS, or another field of status. */
export const procKiB = (pid, field = 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** Proportional set size (KiB): shared pages (the node binary) divided among their users. */
export const pssKiB = (pid) => Number(/Pss:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);

/** CPU time (ms) a process has used, from /proc. */
export const cpuMs = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return (ticks * 1000) / hz;
};

export const startProcess = (file, args, options) => spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options });

// CPU time of one command (perf stat task-clock, all threads), far less sensitive to other
// load than wall time; wall time when perf is missing. `cpuTimeUnit` says which.
const hasPerf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', 'true'], { stdio: 'ignore' }).status === 0;
export const cpuTimeUnit = hasPerf ? 'CPU ms (perf task-clock)' : 'wall ms';
export const cpuTimeMs = (argv) => {
  const t0 = performance.now();
  const r = hasPerf
    ? spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}`);
  return hasPerf ? Number(r.stderr.trim().split('\n').pop().split(',')[0]) : performance.now() - t0;
};
