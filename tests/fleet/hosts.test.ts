// Three hosts, one queue: three clones of one bare remote, three host ids, each talking
// to one PostgreSQL server through its own TCP proxy on 127.0.0.1 that the test can cut.
// A checker samples /proc every 25 ms and counts the moments two runs of one task live.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { openStore } from '@task-manager/core/store/open-store';
import { nodeWorker, pidAlive, runBin, sandbox, waitFor } from '../fixtures/e2e.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';

// Long enough that a loaded 2-core machine stops a run within the margin (a third of it).
const LEASE_SECONDS = 8;
// The checker looks at every process of the machine: a slug no other test uses.
const SLUG = `fleet-${process.pid}`;

/** A TCP proxy that a test can cut (a partition: every connection dropped, new ones refused) and restore. */
const partitionProxy = async (targetPort: number) => {
  let cut = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
};

/** The run tokens alive now among processes running for `slug` (each run has its own token). */
const liveRuns = (slug: string): Set<string> => {
  const tokens = new Set<string>();
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let env: string;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    const vars = env.split('\0');
    if (!vars.includes(`TASK_MANAGER_SLUG=${slug}`)) continue;
    const token = vars.find((v) => v.startsWith('TASK_MANAGER_RUN_TOKEN='));
    if (token) tokens.add(token);
  }
  return tokens;
};

/** Samples every 25 ms; `overlaps` counts samples with two live runs of the task. */
const checker = (slug: string) => {
  const state = { samples: 0, overlaps: 0, phase: 'start', byPhase: {} as Record<string, number> };
  const timer = setInterval(() => {
    state.samples += 1;
    if (liveRuns(slug).size > 1) {
      state.overlaps += 1;
      state.byPhase[state.phase] = (state.byPhase[state.phase] ?? 0) + 1;
    }
  }, 25);
  return { state, stop: () => clearInterval(timer) };
};

t.test('three hosts: kill -9, a partition and a frozen supervisor each hand the task over with never two live runs', async (t) => {
  const pg = await pgServer(t);
  const url = withSchema(pg.url, freshSchema('fleet'));
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const remote = path.join(base, 'remote.git');
  execFileSync('git', ['clone', '-q', '--bare', box.repo, remote], { env: box.env });
  const store = await openStore(url, path.join(base, 'observer-state'));
  t.teardown(() => store.close());

  const hosts = await Promise.all(
    ['a', 'b', 'c'].map(async (id) => {
      const repo = path.join(base, `host-${id}`);
      execFileSync('git', ['clone', '-q', remote, repo], { env: box.env });
      const proxy = await partitionProxy(pg.port);
      t.teardown(() => proxy.close());
      const proxied = new URL(url);
      proxied.port = String(proxy.port);
      const env = {
        ...box.env,
        TASK_MANAGER_STORE: proxied.toString(),
        TASK_MANAGER_HOST_ID: `host-${id}`,
        TASK_MANAGER_LEASE_SECONDS: String(LEASE_SECONDS),
        TASK_MANAGER_KILL_GRACE_SECONDS: '1',
        TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '600'),
      };
      return { id, repo, proxy, env };
    }),
  );
  const [a, b, c] = hosts as [(typeof hosts)[0], (typeof hosts)[0], (typeof hosts)[0]];
  const check = checker(SLUG);
  t.teardown(() => check.stop());
  const status = () => store.readStatus(SLUG);
  const running = (host: string) => async () => {
    const s = await status();
    return s?.state === 'running' && s.owner?.host === host ? s : undefined;
  };
  // A host tries to take the task until it may (the lease of the last holder has expired).
  const takeOver = async (host: (typeof hosts)[0]) => {
    let conflicts = 0;
    const taken = await waitFor(async () => {
      const r = await runBin('dispatch', [SLUG, '--prompt', `from ${host.id}`], { cwd: host.repo, env: host.env });
      if (r.code === 3) conflicts += 1;
      return r.code === 0 ? r : undefined;
    }, `host ${host.id} takes the task over`, 60_000);
    return { taken, conflicts };
  };

  // 1. Host a runs the task; kill -9 of its supervisor takes the run with it (kernel-enforced).
  const first = await runBin('dispatch', [SLUG, '--prompt', 'first'], { cwd: a.repo, env: a.env });
  t.equal(first.code, 0, first.stderr);
  const onA = await waitFor(running('host-a'), 'running on host a');
  t.equal(onA.owner?.host, 'host-a', 'the status names the host');
  t.equal(liveRuns(SLUG).size, 1);
  check.state.phase = 'kill -9';
  process.kill(onA.owner?.pid as number, 'SIGKILL');
  await waitFor(() => liveRuns(SLUG).size === 0, 'the run died with its supervisor', 10_000);
  const toB = await takeOver(b);
  t.ok(toB.conflicts > 0, 'host b was refused while the lease of host a was in force');
  const onB = await waitFor(running('host-b'), 'running on host b');
  t.ok(onB.fence > onA.fence, 'the fence grew');

  // 2. Host b is cut off from the database: it stops its run before its lease expires; host c takes over.
  check.state.phase = 'partition';
  b.proxy.cut();
  await waitFor(() => liveRuns(SLUG).size === 0, 'host b stopped its run (self-fencing)', 20_000);
  const toC = await takeOver(c);
  t.equal(toC.taken.code, 0);
  const onC = await waitFor(running('host-c'), 'running on host c');
  b.proxy.restore();

  // 3. Host c's supervisor freezes (SIGSTOP): its guard kills the run; host a takes over.
  const frozen = onC.owner?.pid as number;
  check.state.phase = 'frozen';
  process.kill(frozen, 'SIGSTOP');
  t.teardown(() => {
    if (pidAlive(frozen)) process.kill(frozen, 'SIGKILL');
  });
  await waitFor(() => liveRuns(SLUG).size === 0, 'the guard killed the frozen supervisor\'s run', 20_000);
  await takeOver(a);
  await waitFor(running('host-a'), 'running on host a again');
  check.state.phase = 'woken';
  process.kill(frozen, 'SIGCONT');
  // The woken supervisor finds its fence gone and leaves without writing.
  await waitFor(() => !pidAlive(frozen), 'the stale supervisor left', 20_000);
  const now = await status();
  t.equal(now?.owner?.host, 'host-a', 'the stale supervisor wrote nothing over the new holder');

  // Follow-ups from every host, each sent twice (a retry after a lost answer): queued once
  // each, in each sender's order, whichever host sent them.
  for (let i = 1; i <= 3; i++) {
    for (const host of hosts) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const sent = await runBin('dispatch-continue', [SLUG, '--prompt', `from ${host.id} #${i}`, '--client-key', `${host.id}-${i}`], { cwd: host.repo, env: host.env });
        t.equal(sent.code, 0, sent.stderr);
        t.equal(sent.records[0]?.result, attempt === 0 ? 'queued' : 'duplicate', `${host.id} #${i} attempt ${attempt + 1}`);
      }
    }
  }
  const queue = ((await status())?.followups ?? []).map((f) => f.client_key);
  t.equal(queue.length, 9, 'nine follow-ups: none lost, none doubled');
  for (const host of hosts) t.same(queue.filter((k) => k?.startsWith(`${host.id}-`)), [1, 2, 3].map((i) => `${host.id}-${i}`), `host ${host.id}'s in the order it sent them`);

  check.stop();
  t.ok(check.state.samples > 100, `sampled ${check.state.samples} times`);
  t.equal(check.state.overlaps, 0, `never two live runs of the task (${JSON.stringify(check.state.byPhase)})`);
  t.comment(`three hosts: ${check.state.samples} samples, ${check.state.overlaps} with two live runs`);
  const claims = (await store.readHistory(SLUG)).records.filter((r) => r.event === 'claimed').map((r) => r.host);
  t.same(claims, ['host-a', 'host-b', 'host-c', 'host-a'], 'history tells each claim and its host');
  // Stop the last run.
  await runBin('dispatch-stop', [SLUG, '--grace', '1'], { cwd: a.repo, env: a.env });
  await waitFor(() => liveRuns(SLUG).size === 0, 'stopped', 20_000);
});
