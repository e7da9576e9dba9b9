#!/usr/bin/env node
// What NODE_EXTRA_CA_CERTS costs a node process that never opens a TLS connection: node
// parses the whole bundle as it starts. CPU time of `node -e 0` and the resident memory of
// an idle node, with the variable and without it, paired (alternating order); medians.
//   node bench/measure/extra-ca-certs.mjs [BUNDLE] [RUNS]
// BUNDLE defaults to $NODE_EXTRA_CA_CERTS, else Debian's /etc/ssl/certs/ca-certificates.crt.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { cpuTimeMs, cpuTimeUnit, median, procKiB } from '../lib/measure.mjs';

const bundle = process.argv[2] ?? process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
const runs = Number(process.argv[3] ?? 15);
const node = process.execPath;
const without = { ...process.env };
delete without.NODE_EXTRA_CA_CERTS;
const withCerts = { ...without, NODE_EXTRA_CA_CERTS: bundle };
const certs = (fs.readFileSync(bundle, 'utf8').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

const cpu = { with: [], without: [] };
const rss = { with: [], without: [] };
const idleRss = async (env) => {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1e6)'], { env, stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 700));
  const kib = procKiB(child.pid);
  child.kill();
  return kib / 1024;
};
for (let i = 0; i < runs; i++) {
  const order = i % 2 ? ['without', 'with'] : ['with', 'without'];
  for (const k of order) cpu[k].push(cpuTimeMs(['env', ...(k === 'with' ? [`NODE_EXTRA_CA_CERTS=${bundle}`] : ['-u', 'NODE_EXTRA_CA_CERTS']), node, '-e', '0']));
  if (i < 5) for (const k of order) rss[k].push(await idleRss(k === 'with' ? withCerts : without));
}
console.log(`${bundle}: ${certs} certificates; ${cpuTimeUnit}, medians of ${runs} (memory: of 5)`);
console.log(`node -e 0          with ${median(cpu.with).toFixed(1)}  without ${median(cpu.without).toFixed(1)}  paired difference ${median(cpu.with.map((x, i) => x - cpu.without[i])).toFixed(1)} ms`);
console.log(`idle node VmRSS    with ${median(rss.with).toFixed(1)}  without ${median(rss.without).toFixed(1)}  paired difference ${median(rss.with.map((x, i) => x - rss.without[i])).toFixed(1)} MiB`);
