#!/usr/bin/env node
// Takeover across hosts, as a multiple of the lease's TTL: two simulated hosts (clones
// of one bare remote, their own host ids and TCP proxies on 127.0.0.1) share a throwaway
// PostgreSQL server. Host a runs a task; then
//   - kill -9 of its supervisor: time until host b's worker runs;
//   - a partition of host a: time until host a's run is gone (self-fencing, which must
//     come before the lease could expire), and until host b's worker runs.
// Host b tries `dispatch` every 100 ms (the heartbeat would try once per tick: add its
// interval). The floor is the TTL itself: nobody may take a lease before it expires.
//   node bench/measure/takeover.mjs [ROUNDS=3] [TTL_SECONDS=4]
// Prints one NDJSON bench record per measure (median of ROUNDS) and returns them to
// bench/run.mjs, which calls measureTakeover().
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempRepo } from '../lib/fixtures.mjs';
import { startPgServer } from '../../scripts/pg-server.mjs';
import { partitionProxy } from '../../scripts/partition-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shim = (name) => path.join(root, 'scripts', 'task-manager', name);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const alive = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};
const waitFor = async (check, what, ms = 60_000) => {
  const end = performance.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > end) throw new Error(`takeover bench: timed out waiting for ${what}`);
    await sleep(10);
  }
};

export const measureTakeover = async ({ rounds = 3, ttlSeconds = 4 } = {}) => {
  const { openStore } = await import(pathToFileURL(path.join(root, 'shared/core/dist/store/open-store.js')).href);
  const pg = await startPgServer();
  const box = tempRepo();
  try {
    const url = new URL(pg.url);
    url.searchParams.set('schema', 'takeover');
    const remote = path.join(box.base, 'remote.git');
    execFileSync('git', ['clone', '-q', '--bare', box.repo, remote], { env: box.env });
    const store = await openStore(url.toString(), path.join(box.base, 'observer'));
    const hosts = [];
    for (const id of ['a', 'b']) {
      const repo = path.join(box.base, `host-${id}`);
      execFileSync('git', ['clone', '-q', remote, repo], { env: box.env });
      const proxy = await partitionProxy(pg.port);
      const proxied = new URL(url);
      proxied.port = String(proxy.port);
      const env = {
        ...box.env,
        TASK_MANAGER_STORE: proxied.toString(),
        TASK_MANAGER_HOST_ID: `host-${id}`,
        TASK_MANAGER_LEASE_SECONDS: String(ttlSeconds),
        TASK_MANAGER_KILL_GRACE_SECONDS: '1',
        TASK_MANAGER_WORKER_CMD: "sh -c 'sleep 600' sh",
      };
      hosts.push({ id, repo, proxy, env });
    }
    const [a, b] = hosts;
    // Asynchronous: the proxies live in this process, so its event loop must keep turning.
    const bin = (name, host, args) =>
      new Promise((resolve) => {
        const child = spawn(shim(name), args, { cwd: host.repo, env: host.env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => {
          if (process.env.TAKEOVER_DEBUG) process.stderr.write(stderr);
          resolve(code);
        });
      });
    const dispatch = (host, slug) => bin('dispatch', host, [slug, '--prompt', 'bench']);
    const runningOn = (slug, host) => async () => {
      const s = await store.readStatus(slug).catch(() => undefined);
      return s?.state === 'running' && s.owner?.host === `host-${host.id}` && s.worker?.pid && alive(s.worker.pid) ? s : undefined;
    };
    // Host b tries until the lease of host a has expired and its own worker runs.
    const takeOver = async (slug, since) => {
      await waitFor(async () => {
        if ((await dispatch(b, slug)) === 0) return true;
        await sleep(100);
        return false;
      }, 'host b to claim', 10 * ttlSeconds * 1000);
      await waitFor(runningOn(slug, b), 'host b running');
      return performance.now() - since;
    };
    const stop = async (slug) => {
      await bin('dispatch-stop', b, [slug, '--grace', '1']);
      await waitFor(async () => (await store.readStatus(slug))?.state !== 'running', 'the stop');
    };
    const kill = [];
    const fenced = [];
    const partition = [];
    for (let round = 1; round <= rounds; round++) {
      let slug = `kill-${round}`;
      if ((await dispatch(a, slug)) !== 0) throw new Error('takeover bench: host a could not start the task');
      let s = await waitFor(runningOn(slug, a), 'host a running');
      let t0 = performance.now();
      process.kill(s.owner.pid, 'SIGKILL');
      kill.push(await takeOver(slug, t0));
      await stop(slug);

      slug = `partition-${round}`;
      if ((await dispatch(a, slug)) !== 0) throw new Error('takeover bench: host a could not start the task');
      s = await waitFor(runningOn(slug, a), 'host a running');
      const worker = s.worker.pid;
      t0 = performance.now();
      a.proxy.cut();
      await waitFor(() => !alive(worker), 'host a to stop its run', 10 * ttlSeconds * 1000);
      fenced.push(performance.now() - t0);
      partition.push(await takeOver(slug, t0));
      a.proxy.restore();
      await stop(slug);
    }
    await store.close();
    for (const h of hosts) await h.proxy.close();
    const ttl = ttlSeconds * 1000;
    const row = (measure, xs, goal) => ({
      type: 'bench',
      measure,
      value: Math.round(median(xs)),
      unit: 'ms',
      floor: ttl,
      ratio: Math.round((median(xs) / ttl) * 100) / 100,
      spread: [Math.min(...xs), Math.max(...xs)].map((x) => Math.round((x / ttl) * 100) / 100),
      goal,
      rounds,
    });
    // The lease a partitioned host holds expires at its last renewal + TTL; renewals come
    // every TTL/4, so no sooner than 0.75 TTL after the cut: its run must be gone by then.
    const rows = [
      row(`takeover after kill -9 of a host's supervisor (x TTL ${ttlSeconds} s)`, kill, '<= 1.25x'),
      row(`partitioned host stops its run (x TTL ${ttlSeconds} s)`, fenced, '<= 0.75x'),
      row(`takeover after a partition (x TTL ${ttlSeconds} s)`, partition, '<= 1.25x'),
    ];
    for (const r of rows) r.met = r.ratio <= Number(/[\d.]+/.exec(r.goal)[0]);
    return rows;
  } finally {
    await pg.stop();
    box.cleanup();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await measureTakeover({ rounds: Number(process.argv[2] ?? 3), ttlSeconds: Number(process.argv[3] ?? 4) });
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}
