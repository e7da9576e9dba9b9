#!/usr/bin/env node
// Start-up cost of entry-point forms, paired against `node -e 0`: wall time and CPU time
// (perf stat task-clock, all threads; far less sensitive to other load than wall time).
//   node bench/measure/startup.mjs [RUNS]     (after `pnpm exec just build`; needs perf)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { leaveOutExtraCaCerts } from '../lib/ca-certs.mjs';

leaveOutExtraCaCerts('startup');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 15);
const node = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-startup-'));
fs.writeFileSync(path.join(tmp, 'empty.mjs'), '');
fs.writeFileSync(path.join(tmp, 'empty.cjs'), '');
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const one = (argv) => {
  const t0 = performance.now();
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return { wall, cpu: Number(r.stderr.trim().split('\n').pop().split(',')[0]) };
};
const cases = [
  ['empty ES module', [node, path.join(tmp, 'empty.mjs')]],
  ['empty CommonJS file', [node, path.join(tmp, 'empty.cjs')]],
  // What printing costs before anything else: node's process.stdout (streams) or fd 1.
  ['3 KB to stdout by process.stdout.write', [node, '-e', "process.stdout.write('x'.repeat(3000))"]],
  ['3 KB to stdout by fs.writeSync(1)', [node, '-e', "require('fs').writeSync(1, 'x'.repeat(3000))"]],
  // Builtins the bundles load at their first use only, or not at all (scripts/bundle.mjs).
  ...['child_process', 'crypto', 'assert'].map((id) => [`require('${id}')`, [node, '-e', `require('${id}')`]]),
  ...['dispatch', 'dispatch-watch', 'hb-tick'].flatMap((t) => [
    [`${t} --help, tsc -b output`, [node, path.join(root, 'tools', t, 'dist', 'bin.js'), '--help']],
    [`${t} --help, bundle`, [node, path.join(root, 'dist', 'bin', `${t}.cjs`), '--help']],
    [`${t} --help, shim (link to the bundle)`, [path.join(root, 'scripts', 'task-manager', t), '--help']],
  ]),
];
console.log(`${'entry point'.padEnd(44)} ${'wall ratio'.padStart(10)} ${'cpu ms'.padStart(7)} ${'floor'.padStart(6)} ${'cpu ratio'.padStart(9)}  spread`);
for (const [label, argv] of cases) {
  const w = [];
  const c = [];
  const v = [];
  const f = [];
  for (let i = 0; i < runs; i++) {
    const a = one([node, '-e', '0']);
    const b = one(argv);
    w.push(b.wall / a.wall);
    c.push(b.cpu / a.cpu);
    v.push(b.cpu);
    f.push(a.cpu);
  }
  console.log(`${label.padEnd(44)} ${med(w).toFixed(2).padStart(10)} ${med(v).toFixed(1).padStart(7)} ${med(f).toFixed(1).padStart(6)} ${med(c).toFixed(2).padStart(9)}  ${Math.min(...c).toFixed(2)}-${Math.max(...c).toFixed(2)}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
