#!/usr/bin/env node
// Did a change make the bins bigger or slower to start for file-store users? Compares
// two builds' dist/ directories: each bin's size, and `--help` start-up, paired runs
// (alternating order) of the two builds with `node -e 0` as the floor; medians.
//   cp -r dist /tmp/dist-before; <change>; pnpm exec just build
//   node bench/measure/bin-growth.mjs /tmp/dist-before dist [RUNS]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cpuTimeMs, cpuTimeUnit, median } from '../lib/measure.mjs';

const [before, after, runsArg] = process.argv.slice(2);
if (!before || !after) {
  process.stderr.write('usage: node bench/measure/bin-growth.mjs DIST_BEFORE DIST_AFTER [RUNS]\n');
  process.exit(2);
}
const runs = Number(runsArg ?? 21);
const node = process.execPath;
const med = median;
const wall = cpuTimeMs;
console.log(`times: ${cpuTimeUnit}, medians of ${runs}`);
console.log(`${'bin'.padEnd(20)} ${'bytes before'.padStart(12)} ${'bytes after'.padStart(12)} ${'--help before'.padStart(17)} ${'after'.padStart(7)} ${'floor'.padStart(7)} ${'after-before (paired)'.padStart(22)}`);
for (const bin of ['dispatch', 'dispatch-watch', 'dispatch-continue', 'hb-tick', 'worker-reap', 'dispatch-stop']) {
  const a = path.resolve(before, 'bin', `${bin}.cjs`);
  const b = path.resolve(after, 'bin', `${bin}.cjs`);
  const tb = [];
  const ta = [];
  const tf = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [[b, ta], [a, tb]] : [[a, tb], [b, ta]];
    tf.push(wall([node, '-e', '0']));
    for (const [file, into] of order) into.push(wall([node, file, '--help']));
  }
  const diff = med(ta.map((t, i) => t - tb[i]));
  // A bin is its loader and the bundle it runs (<bin>.main.cjs) since the code cache.
  const bytes = (file) => [file, file.replace(/\.cjs$/, '.main.cjs')].reduce((sum, f) => sum + (fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
  console.log(`${bin.padEnd(20)} ${String(bytes(a)).padStart(12)} ${String(bytes(b)).padStart(12)} ${med(tb).toFixed(1).padStart(17)} ${med(ta).toFixed(1).padStart(7)} ${med(tf).toFixed(1).padStart(7)} ${diff.toFixed(1).padStart(22)}`);
}
