#!/usr/bin/env node
// What "dispatch until the worker runs" cannot go below, against the bench's floor (node
// spawning the worker itself): a dispatcher that starts a detached node (the supervisor's
// place) which starts the worker and says so in a file the dispatcher watches. Two node
// start-ups and nothing else: no git, no lock, no status, no history. The second node
// starts without NODE_EXTRA_CA_CERTS, as the supervisor on the file store does
// (supervisor/extra-ca-certs.ts). Then the same with the two git commands dispatch runs
// before it claims. Paired, alternating order, wall time; medians.
//   node bench/measure/dispatch-floor.mjs [RUNS]        (after `pnpm exec just build`)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRepo } from '../lib/fixtures.mjs';
import { median } from '../lib/measure.mjs';
import { leaveOutExtraCaCerts } from '../lib/ca-certs.mjs';

leaveOutExtraCaCerts('dispatch-floor');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 15);
const node = process.execPath;
const box = tempRepo();
const stateDir = path.join(box.repo, 'tasks', 'logs');
const dispatch = path.join(root, 'scripts', 'task-manager', 'dispatch');
const floors = path.join(root, 'bench', 'lib', 'floors.mjs');
const env = { ...box.env, TASK_MANAGER_WORKER_CMD: "sh -c 'sleep 2' sh" };

// The two node start-ups: `node -e DISPATCHER` starts `node -e STARTER`, which starts the
// worker and renames its pid into place; the dispatcher returns when it sees the file.
const said = path.join(box.base, 'started.json');
const STARTER = `const c = require('node:child_process').spawn('sleep', ['2'], { detached: true, stdio: 'ignore' });
c.on('spawn', () => { const fs = require('node:fs'); fs.writeFileSync(process.argv[1] + '.tmp', String(c.pid)); fs.renameSync(process.argv[1] + '.tmp', process.argv[1]); c.unref(); });`;
const DISPATCHER = `const fs = require('node:fs'); const path = require('node:path'); const file = process.argv[1];
const w = fs.watch(path.dirname(file), () => { if (fs.existsSync(file)) { w.close(); process.exit(0); } });
const env = { ...process.env }; delete env.NODE_EXTRA_CA_CERTS;
require('node:child_process').spawn(process.execPath, ['-e', process.argv[2], file], { detached: true, stdio: 'ignore', env }).unref();`;

// The same, with the two questions dispatch must ask git before it claims (which
// repository this is, and whether git tracks anything in the state directory: the same
// two git commands), asked by the dispatcher before it starts the second node.
const ASKING = `const { execFileSync } = require('node:child_process');
execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir', '--show-toplevel'], { stdio: ['ignore', 'pipe', 'pipe'] });
execFileSync('git', ['-C', process.argv[3], 'ls-files', '-z', '--', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
${DISPATCHER}`;

const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const kill = (pid) => {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {}
};
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const cases = {
  floor: () => time(() => execFileSync(node, [floors, 'spawn-worker'])),
  'two node start-ups': () => {
    fs.rmSync(said, { force: true });
    const ms = time(() => execFileSync(node, ['-e', DISPATCHER, said, STARTER], { env }));
    kill(Number(fs.readFileSync(said, 'utf8')));
    return ms;
  },
  'two starts, two gits': () => {
    fs.rmSync(said, { force: true });
    const ms = time(() => execFileSync(node, ['-e', ASKING, said, STARTER, stateDir], { cwd: box.repo, env }));
    kill(Number(fs.readFileSync(said, 'utf8')));
    return ms;
  },
  dispatch: () => time(() => execFileSync(dispatch, ['warm', '--prompt', 'x'], { cwd: box.repo, env })),
};
const settle = async () => {
  // The dispatched worker stopped, and its chain over, before the next dispatch.
  const file = path.join(stateDir, 'dispatch-warm.status.json');
  kill(readJson(file)?.worker?.pid);
  for (let i = 0; i < 2000; i++) {
    const s = readJson(file);
    if (s && s.state !== 'running' && s.state !== 'starting') break;
    await sleep(5);
  }
  await sleep(50);
};

try {
  execFileSync(dispatch, ['warm', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  const ms = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? Object.keys(cases).reverse() : Object.keys(cases);
    for (const k of order) {
      ms[k].push(cases[k]());
      if (k === 'dispatch') await settle();
    }
  }
  const ratio = (a, b) => median(ms[a].map((x, i) => x / ms[b][i])).toFixed(2);
  console.log(`wall ms, medians of ${runs} (paired ratios: medians of per-run ratios)`);
  for (const k of Object.keys(cases)) console.log(`${k.padEnd(20)} ${median(ms[k]).toFixed(1).padStart(7)}  x floor ${ratio(k, 'floor')}`);
  console.log(`dispatch against the two node start-ups: ${ratio('dispatch', 'two node start-ups')}x; against them with the two gits: ${ratio('dispatch', 'two starts, two gits')}x`);
} finally {
  await settle();
  box.cleanup();
}
