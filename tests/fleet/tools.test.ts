// The tools across hosts: an interrupt and a stop sent from one host reach the holder's
// supervisor on another through the database; hb-tick counts the whole fleet for
// --max-active and this host for --max-active-per-host; worker-reap on one host judges
// another host's chain by its lease alone.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fakeClaudeCalls, fakeClaudeEnv, nodeWorker, pidAlive, runBin, waitFor, writeTask } from '../fixtures/e2e.js';
import { fleet, liveRuns } from '../fixtures/fleet.js';
import type { StatusRecord } from '@task-manager/core/status/schema';

const LEASE_SECONDS = 6;
const P = `fleet-tools-${process.pid}`;
// Hosts whose runs sleep until stopped, quietly, and stop within a second.
const SLEEPERS = {
  TASK_MANAGER_LEASE_SECONDS: String(LEASE_SECONDS),
  TASK_MANAGER_KILL_GRACE_SECONDS: '1',
  TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '600'),
  SLEEPER_QUIET: '1',
};

t.test('an interrupt and a stop from another host reach the holder through the database', async (t) => {
  const { store, hosts } = await fleet(t, [0, 120], SLEEPERS);
  const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
  const slug = `${P}-remote`;
  const status = () => store.readStatus(slug);
  t.equal((await runBin('dispatch', [slug, '--prompt', 'first'], { cwd: a.repo, env: a.env })).code, 0);
  const first = await waitFor(async () => ((await status())?.state === 'running' ? status() : undefined), 'running on host a');

  // From host b: --interrupt stops host a's run and the follow-up runs next, on host a.
  const sent = await runBin('dispatch-continue', [slug, '--interrupt', '--grace', '1', '--prompt', 'from b'], { cwd: b.repo, env: b.env });
  t.equal(sent.code, 0, sent.stderr);
  t.match(sent.records[0], { result: 'interrupted' });
  const second = (await waitFor(async () => {
    const s = await status();
    return s?.state === 'running' && s.prompt === 'from b' && s.worker ? s : undefined;
  }, 'the follow-up runs')) as StatusRecord;
  t.equal(second.owner?.host, 'host-a', 'on the holder\'s host');
  t.equal(second.fence, first!.fence, 'in the same chain');
  t.notOk(pidAlive(first!.worker?.pid), 'the interrupted run is gone');
  t.equal(liveRuns(slug).size, 1);

  // From host b: dispatch-stop stops host a's run and holds the task.
  const stop = await runBin('dispatch-stop', [slug, '--grace', '1'], { cwd: b.repo, env: b.env });
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.records[0], { result: 'stopped' });
  await waitFor(() => liveRuns(slug).size === 0, 'the run stopped');
  t.match(await status(), { state: 'stopped', held: { by: /dispatch-stop/ } });
});

t.test('hb-tick on two hosts: --max-active counts the fleet, --max-active-per-host this host', async (t) => {
  const { store, hosts } = await fleet(t, [0, -300], SLEEPERS);
  const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
  const slugs = [1, 2, 3, 4].map((i) => `${P}-cap-${i}`);
  for (const host of hosts) for (const slug of slugs) writeTask(host, slug, 'status: ready');
  const caps = ['--max-active', '3', '--max-active-per-host', '2', '--max-dispatches-per-cycle', '4'];
  const tick = async (host: (typeof hosts)[0]) => {
    const r = await runBin('hb-tick', caps, { cwd: host.repo, env: host.env });
    t.equal(r.code, 0, r.stderr);
    return r.records.filter((x) => x.type === 'action' && x.result === 'started').length;
  };
  const live = async () => {
    const all = await Promise.all(slugs.map((s) => store.readStatus(s)));
    return all.filter((s) => s?.state === 'running' || s?.state === 'starting');
  };
  t.equal(await tick(a), 2, 'host a starts two: its own cap');
  t.equal(await tick(b), 1, 'host b starts one: the fleet cap of three');
  t.equal(await tick(a), 0, 'host a: both caps reached');
  t.equal(await tick(b), 0, 'host b: the fleet cap reached');
  const running = await live();
  t.equal(running.length, 3);
  t.same(running.map((s) => s!.owner?.host).sort(), ['host-a', 'host-a', 'host-b']);
  for (const slug of slugs) await runBin('dispatch-stop', [slug, '--grace', '1'], { cwd: a.repo, env: a.env });
  await waitFor(async () => (await live()).length === 0, 'all stopped');
});

t.test('worker-reap on another host: a dead holder is judged by its lease alone', async (t) => {
  const { store, hosts } = await fleet(t, [0, 300], SLEEPERS);
  const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
  const slug = `${P}-reap`;
  t.equal((await runBin('dispatch', [slug, '--prompt', 'x'], { cwd: a.repo, env: a.env })).code, 0);
  const s = await waitFor(async () => {
    const now = await store.readStatus(slug);
    return now?.state === 'running' ? now : undefined;
  }, 'running on host a');
  process.kill(s.owner?.pid as number, 'SIGKILL');
  await waitFor(() => liveRuns(slug).size === 0, 'the run died with its supervisor');
  // Host b cannot see host a's processes: while the lease is in force, the chain is alive to it.
  const early = await runBin('worker-reap', [slug], { cwd: b.repo, env: b.env });
  t.equal(early.code, 0, early.stderr);
  t.notOk(early.records.some((r) => r.action === 'marked_worker_gone'), 'not reaped while its lease is in force');
  t.equal((await store.readStatus(slug))?.state, 'running');
  // Once it has expired, host b records worker_gone.
  const reaped = await waitFor(async () => {
    const r = await runBin('worker-reap', [slug], { cwd: b.repo, env: b.env });
    return r.records.find((x) => x.action === 'marked_worker_gone');
  }, 'host b reaps the expired lease', 60_000);
  t.match(reaped, { slug });
  t.match(await store.readStatus(slug), { state: 'worker_gone' });
});

t.test("the agent's session stays on its host: on another, the recap fallback starts a new session, recorded as such", async (t) => {
  const { box, store, hosts } = await fleet(t, [0, 60], { TASK_MANAGER_LEASE_SECONDS: String(LEASE_SECONDS) });
  const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
  // Each host its own claude config (its sessions); one log of every call.
  const claude = fakeClaudeEnv(box);
  const envOf = (host: (typeof hosts)[0]) => {
    const config = path.join(path.dirname(host.repo), `claude-config-${host.id}`);
    fs.mkdirSync(config, { recursive: true });
    return { ...host.env, ...claude, CLAUDE_CONFIG_DIR: config };
  };
  const slug = `${P}-session`;
  const d = await runBin('dispatch', [slug, '--prompt', 'first', '--worker', 'claude', '--wait'], { cwd: a.repo, env: envOf(a) });
  t.equal(d.code, 0, d.stderr);
  const session = (await store.readStatus(slug))?.session_id;
  t.ok(session, 'a session on host a');
  // Host b goes on with the task: its claude has no such session.
  const c = await runBin('dispatch-continue', [slug, '--prompt', 'second'], { cwd: b.repo, env: envOf(b) });
  t.equal(c.code, 0, c.stderr);
  const done = await waitFor(async () => {
    const s = await store.readStatus(slug);
    return s?.state === 'exited' && s.owner?.host === 'host-b' ? s : undefined;
  }, 'the follow-up ran on host b', 60_000);
  t.equal(done.outcome, 'ok');
  t.not(done.session_id, session, 'a new session, on host b');
  const history = (await store.readHistory(slug)).records;
  t.match(history.find((r) => r.event === 'session_fallback'), { host: 'host-b', old_session_id: session }, 'recorded as a fallback');
  const calls = fakeClaudeCalls(claude);
  t.match(calls.at(-1)?.prompt, /second/, 'the new session was told the follow-up, with the recap');
});
