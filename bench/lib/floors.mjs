// Floor scripts: the least a program could do for the same job, on the same machine.
// Run as `node floors.mjs <which> <arg>`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const [which, arg] = process.argv.slice(2);
if (which === 'spawn-worker') {
  // Spawning the trivial worker directly, until it is running.
  const child = spawn('sleep', ['2'], { detached: true, stdio: 'ignore' });
  child.on('spawn', () => {
    child.unref();
    process.exit(0);
  });
} else if (which === 'read-statuses') {
  let n = 0;
  for (const name of fs.readdirSync(arg)) if (name.endsWith('.status.json')) n += JSON.parse(fs.readFileSync(path.join(arg, name), 'utf8')).fence;
  process.stdout.write(`${n}\n`);
} else if (which === 'read-statuses-ndjson') {
  // The same, writing each one back out as a line of NDJSON (what a snapshot prints per
  // dispatch, without checking or deriving anything).
  let out = '';
  for (const name of fs.readdirSync(arg)) {
    if (!name.endsWith('.status.json')) continue;
    out += `${JSON.stringify(JSON.parse(fs.readFileSync(path.join(arg, name), 'utf8')))}\n`;
    if (out.length >= 65536) {
      fs.writeSync(1, out);
      out = '';
    }
  }
  fs.writeSync(1, out);
} else if (which === 'read-tasks') {
  const { createRequire } = await import('node:module');
  const { parse } = createRequire(new URL('../../shared/core/package.json', import.meta.url))('yaml');
  let n = 0;
  for (const name of fs.readdirSync(arg)) {
    const text = fs.readFileSync(path.join(arg, name), 'utf8');
    const end = text.indexOf('\n---', 4);
    n += Object.keys(parse(text.slice(4, end)) ?? {}).length;
  }
  process.stdout.write(`${n}\n`);
} else if (which === 'readline') {
  let n = 0;
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const v = JSON.parse(line);
    process.stdout.write(`${JSON.stringify(v)}\n`);
    n += 1;
  }
} else if (which === 'mkdir-rmdir') {
  const dir = path.join(arg, 'floor.lock');
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    fs.mkdirSync(dir);
    fs.rmdirSync(dir);
  }
  process.stdout.write(`${(performance.now() - t0) / 500}\n`);
} else if (which === 'critical-section') {
  // Paired in one process: blocks of 100 bare mkdir + rmdir pairs, then 100 claims and
  // releases, alternating; prints the per-operation medians and the median paired ratio.
  const { withCriticalSection } = await import(new URL('../../shared/core/dist/lock/critical-section.js', import.meta.url));
  const lock = path.join(arg, 'dispatch-bench.lock');
  const bare = path.join(arg, 'floor.lock');
  const block = async (fn) => {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await fn();
    return (performance.now() - t0) / 100;
  };
  const floors = [];
  const values = [];
  for (let round = 0; round < 16; round++) {
    floors.push(await block(() => (fs.mkdirSync(bare), fs.rmdirSync(bare))));
    values.push(await block(() => withCriticalSection(lock, () => undefined)));
  }
  // The first pair warms up the JIT and the file system's caches.
  process.stdout.write(`${JSON.stringify({ floors: floors.slice(1), values: values.slice(1) })}\n`);
} else if (which === 'idle') {
  setInterval(() => undefined, 1e6);
}
