#!/usr/bin/env node
// What each PostgreSQL client costs OUR bins: `pg` 8.x and `postgres` (porsager) 3.x,
// each bundled the way scripts/bundle.mjs ships a library (esbuild, CommonJS, node20),
// loaded before dist/bin/dispatch.cjs runs `--help`. Paired runs against `node -e 0`
// (alternating order), medians; then each client's connect + one query + end against a
// throwaway server (scripts/pg-server.mjs), when one can be started.
//   node bench/measure/pg-driver.mjs [RUNS]     (after `pnpm exec just build`)
// The two clients are installed into a cache outside the workspace the first time.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cpuTimeMs, cpuTimeUnit, median } from '../lib/measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 21);
const node = process.execPath;
const VERSIONS = { pg: '8.23.1', postgres: '3.4.9' };
const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'task-manager-pg-drivers');
const installed = () => Object.entries(VERSIONS).every(([name, v]) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(cache, 'node_modules', name, 'package.json'), 'utf8')).version === v;
  } catch {
    return false;
  }
});
if (!installed()) {
  fs.mkdirSync(cache, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', cache, ...Object.entries(VERSIONS).map(([n, v]) => `${n}@${v}`)], { stdio: 'inherit' });
}
const dispatch = path.join(root, 'dist', 'bin', 'dispatch.cjs');
if (!fs.existsSync(dispatch)) throw new Error('build first: pnpm exec just build');

const esbuild = createRequire(path.join(root, 'package.json'))('esbuild');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-pgdrv-'));
for (const name of Object.keys(VERSIONS)) {
  await esbuild.build({
    absWorkingDir: cache,
    entryPoints: [{ in: createRequire(path.join(cache, 'package.json')).resolve(name), out: name }],
    outdir: tmp,
    bundle: true,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  // The bin, with the client loaded first: what every start would pay if it were eager.
  fs.writeFileSync(path.join(tmp, `with-${name}.cjs`), `require(${JSON.stringify(path.join(tmp, `${name}.cjs`))});\nrequire(${JSON.stringify(dispatch)});\n`);
  fs.writeFileSync(path.join(tmp, `rss-${name}.cjs`), `require(${JSON.stringify(path.join(tmp, `${name}.cjs`))});\nprocess.stdout.write(String(process.memoryUsage().rss));\n`);
}
fs.writeFileSync(path.join(tmp, 'rss-none.cjs'), 'process.stdout.write(String(process.memoryUsage().rss));\n');

const med = median;
const wall = cpuTimeMs;
const cases = [
  ['dispatch --help (as built)', [node, dispatch, '--help']],
  ...Object.keys(VERSIONS).map((name) => [`dispatch --help + ${name} ${VERSIONS[name]}`, [node, path.join(tmp, `with-${name}.cjs`), '--help']]),
];
const size = (name) => `${Math.round(fs.statSync(path.join(tmp, `${name}.cjs`)).size / 1024)} KiB bundled`;
console.log(`runs: ${runs} pairs each; floor: node -e 0; times are ${cpuTimeUnit}`);
console.log(`${'case'.padEnd(40)} ${'median ms'.padStart(10)} ${'floor ms'.padStart(9)} ${'+ms (paired)'.padStart(13)}`);
for (const [label, argv] of cases) {
  const values = [];
  const floors = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      values.push(wall(argv));
      floors.push(wall([node, '-e', '0']));
    } else {
      floors.push(wall([node, '-e', '0']));
      values.push(wall(argv));
    }
  }
  const deltas = values.map((v, i) => v - floors[i]);
  console.log(`${label.padEnd(40)} ${med(values).toFixed(1).padStart(10)} ${med(floors).toFixed(1).padStart(9)} ${med(deltas).toFixed(1).padStart(13)}`);
}
const rss = (name) => med(Array.from({ length: 9 }, () => Number(execFileSync(node, [path.join(tmp, `rss-${name}.cjs`)], { encoding: 'utf8' }))));
const base = rss('none');
for (const name of Object.keys(VERSIONS)) console.log(`${name.padEnd(9)} ${size(name).padStart(16)}, RSS after loading +${((rss(name) - base) / 1048576).toFixed(1)} MiB over an empty node`);

// Connect, one query, end: in-process medians against a throwaway local server.
let server;
try {
  const { startPgServer } = await import('../../scripts/pg-server.mjs');
  server = await startPgServer();
} catch (error) {
  console.log(`(no server for the connect timing: ${error.message.split('\n')[0]})`);
}
if (server) {
  const req = createRequire(path.join(tmp, 'x.cjs'));
  const clients = {
    pg: async (url) => {
      const { Client } = req(path.join(tmp, 'pg.cjs'));
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query('select 1');
      await c.end();
    },
    postgres: async (url) => {
      const postgres = req(path.join(tmp, 'postgres.cjs'));
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql`select 1`;
      await sql.end();
    },
  };
  for (const [name, fn] of Object.entries(clients)) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await fn(server.url);
      times.push(performance.now() - t0);
    }
    console.log(`${name.padEnd(9)} connect + select 1 + end: median ${med(times).toFixed(2)} ms (${runs} runs)`);
  }
  await server.stop();
}
fs.rmSync(tmp, { recursive: true, force: true });
