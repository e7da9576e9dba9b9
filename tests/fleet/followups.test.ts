// Follow-ups across hosts, through failures: three hosts (clocks minutes apart) run the
// heartbeat, each sends follow-ups with client keys (every one twice, as a sender that
// lost the answer would), while the test kills the holder's supervisor, cuts the next
// holder off, and restarts the database in the middle of claims and of hand-offs. Every
// follow-up must be carried to an ok end exactly once, in the order its sender sent it,
// and never two runs of the task live at once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { binPath, nodeArgv, nodeWorker, runBin, waitFor, writeTask } from '../fixtures/e2e.js';
import { checker, fleet, frozenWith, liveRuns } from '../fixtures/fleet.js';
import type { StatusRecord } from '@task-manager/core/status/schema';

const LEASE_SECONDS = 8;
const SLUG = `fleet-fu-${process.pid}`;
// `just soak` sets TM_SOAK_ROUNDS: that many rounds of kill -9 and partition, with
// follow-ups enough to keep the task busy through all of them.
const ROUNDS = Math.max(1, Number(process.env.TM_SOAK_ROUNDS ?? 1));
const PER_HOST = 5 * ROUNDS;

t.test('follow-ups from three hosts through kill -9, a partition and database restarts mid-claim and mid-hand-off: each carried out once, in order', async (t) => {
  // Every process of these hosts freezes once at its first claim and its first hand-off,
  // inside the transaction; the test restarts the database there and lets it go on.
  const marker = `TM_FLEET_TEST=${process.pid}`;
  const { box, pg, store, hosts } = await fleet(t, [0, 300, -420], {
    TASK_MANAGER_LEASE_SECONDS: String(LEASE_SECONDS),
    TASK_MANAGER_KILL_GRACE_SECONDS: '1',
    TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '2'),
    SLEEPER_QUIET: '1',
    TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '1',
    TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_MAX_SECONDS: '1',
    TASK_MANAGER_MAX_ATTEMPTS: '50',
    TASK_MANAGER_FAULT: 'stop:claim-after-fence,stop:supervisor-handoff-section',
    TM_FLEET_TEST: String(process.pid),
  });
  for (const host of hosts) writeTask(host, SLUG, 'status: ready', 'Start the work.');
  const check = checker(SLUG);
  t.teardown(() => check.stop());

  // The chaos: a process frozen at a fault point gets a database restart, then goes on.
  const restarts = { claim: 0, handoff: 0, failed: [] as string[] };
  let chaosOn = true;
  const chaos = (async () => {
    while (chaosOn) {
      for (const pid of frozenWith(marker)) {
        let cmdline = '';
        try {
          cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        try {
          await pg.restart({ immediate: true });
          if (cmdline.includes('supervisor')) restarts.handoff += 1;
          else restarts.claim += 1;
        } catch (error) {
          restarts.failed.push((error as Error).message);
        } finally {
          // Never left frozen, whatever the restart did.
          process.kill(pid, 'SIGCONT');
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  t.teardown(async () => {
    chaosOn = false;
    await chaos;
  });

  // A read that a restart may refuse is simply tried again by the caller's wait.
  const status = async (): Promise<StatusRecord | undefined> => {
    try {
      return await store.readStatus(SLUG);
    } catch {
      return undefined;
    }
  };

  // The heartbeat on every host, one tick a second.
  const beats = hosts.map((host) => {
    const out = fs.openSync(path.join(path.dirname(box.repo), `heartbeat-${host.id}.ndjson`), 'a');
    const child = spawn(...nodeArgv(binPath('hb-tick'), ['--every', '1']), { cwd: host.repo, env: host.env, stdio: ['ignore', out, out] });
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return child;
  });

  // On a failed wait: what the task and the heartbeats were doing, to say why.
  const diagnose = async () => {
    t.comment(`status: ${JSON.stringify(await status())}`);
    const records = (await store.readHistory(SLUG).catch(() => ({ records: [] as Record<string, any>[] }))).records;
    for (const { key, followup_id: id } of (await status())?.client_keys ?? []) {
      const ends = records.filter((r) => r.event === 'run_ended' && r.outcome === 'ok' && r.followup_id === id).length;
      if (ends !== 1) t.comment(`${key} (${id}): ${ends} ok ends; its events: ${JSON.stringify(records.filter((r) => r.followup_id === id || JSON.stringify(r).includes(key)))}`);
    }
    t.comment(`history, last 15: ${JSON.stringify(records.slice(-15))}`);
    t.comment(`restarts: ${JSON.stringify(restarts)}`);
    for (const host of hosts) {
      const lines = fs.readFileSync(path.join(path.dirname(box.repo), `heartbeat-${host.id}.ndjson`), 'utf8').trim().split('\n');
      t.comment(`heartbeat ${host.id}, last 6: ${lines.slice(-6).join('\n')}`);
      const log = path.join(host.repo, 'tasks', 'logs', `dispatch-${SLUG}.log`);
      const notes = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('task-manager')) : [];
      t.comment(`supervisor notes on ${host.id}: ${notes.slice(-12).join('\n')}`);
    }
  };
  // Every wait below says, when it fails, what the fleet was doing.
  const wait = <T>(check: () => T | Promise<T>, what: string, ms: number): Promise<T> =>
    waitFor(check, what, ms).catch(async (error) => {
      await diagnose();
      throw error;
    });

  await wait(async () => (await status())?.state === 'running', 'a heartbeat started the task', 120_000);
  const progress = (what: string) => t.comment(`${Math.round(performance.now() / 1000)} s: ${what}`);
  progress('the task runs; sending follow-ups');

  // Follow-ups from every host, each sent twice; a send the restarts refused is sent again.
  const sent: Record<string, string[]> = {};
  let retries = 0;
  const send = async (host: (typeof hosts)[0], key: string) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await wait(async () => {
        const out = await runBin('dispatch-continue', [SLUG, '--prompt', `follow-up ${key}`, '--client-key', key], { cwd: host.repo, env: host.env });
        if (out.code !== 0) retries += 1;
        return out.code === 0 ? out : undefined;
      }, `${key} is accepted`, 60_000);
      if (attempt === 1) t.equal(r.records[0]?.result, 'duplicate', `${key}: the second send is a duplicate`);
    }
    (sent[host.id] ??= []).push(key);
  };
  const senders = Promise.all(
    hosts.map(async (host) => {
      for (let i = 1; i <= PER_HOST; i++) await send(host, `${host.id}-${i}`);
    }),
  );
  // Awaited after the faults; a failure is reported there, not as an unhandled rejection.
  senders.catch(() => undefined);

  // Each round: kill -9 of the holder's supervisor while it carries a follow-up; then a
  // partition of the next holder while it carries one (it stops its run; another host goes on).
  const carrying = async () => {
    const s = await status();
    return s?.state === 'running' && s.followup_id && liveRuns(SLUG).size === 1 ? s : undefined;
  };
  const movedOn = (from: StatusRecord) => async () => {
    const s = await carrying();
    return s && s.fence > from.fence ? s : undefined;
  };
  for (let round = 1; round <= ROUNDS; round++) {
    check.state.phase = 'kill -9';
    const victim = await wait(carrying, 'a follow-up running', 90_000);
    process.kill(victim.owner?.pid as number, 'SIGKILL');
    progress(`round ${round}: killed the supervisor on ${victim.owner?.host}`);
    check.state.phase = 'partition';
    const cutOff = await wait(movedOn(victim), 'another chain carries a follow-up', 90_000);
    const cutHost = hosts.find((h) => `host-${h.id}` === cutOff.owner?.host)!;
    cutHost.proxy.cut();
    progress(`round ${round}: cut ${cutHost.id} off`);
    await wait(async () => {
      const s = await status();
      return s && s.fence > cutOff.fence ? s : undefined;
    }, 'another host took the task over', 90_000);
    cutHost.proxy.restore();
    progress(`round ${round}: another host took over; ${cutHost.id} restored`);
  }
  check.state.phase = 'after';

  await senders;
  progress('every follow-up accepted; waiting for them to run');
  const keys = hosts.flatMap((h) => sent[h.id]!);
  const done = async () => {
    const s = await status();
    if (!s || s.state !== 'exited' || s.followups.length > 0) return undefined;
    const okEnds = (await store.readHistory(SLUG)).records.filter((r) => r.event === 'run_ended' && r.outcome === 'ok');
    const byId = new Map((s.client_keys ?? []).map((k) => [k.followup_id, k.key]));
    const keysDone = okEnds.map((r) => byId.get(r.followup_id as string)).filter((k): k is string => k !== undefined);
    return keys.every((k) => keysDone.includes(k)) ? { s, keysDone } : undefined;
  };
  const { keysDone } = await wait(done, 'every follow-up carried out', 120_000 * ROUNDS);
  chaosOn = false;
  for (const beat of beats) beat.kill('SIGTERM');
  check.stop();

  const history = (await store.readHistory(SLUG)).records;
  for (const key of keys) t.equal(keysDone.filter((k) => k === key).length, 1, `${key}: one ok end`);
  for (const host of hosts) t.same(keysDone.filter((k) => k.startsWith(`${host.id}-`)), sent[host.id], `host ${host.id}'s follow-ups ran in the order it sent them`);
  const requeued = history.filter((r) => r.event === 'followup_requeued');
  // The partitioned host could not take its task back: another did, and history says what was lost.
  t.match(history.find((r) => r.event === 'taken_over'), { from_host: /^host-/, note: /not pushed is lost/ }, 'a takeover from another host is told in history');
  t.ok(requeued.length >= 1, `a follow-up cut off by a dead chain was put back (${requeued.length} times)`);
  t.same(restarts.failed, [], 'every restart of the database went through');
  t.ok(restarts.claim >= 1, `the database restarted mid-claim (${restarts.claim} times)`);
  t.ok(restarts.handoff >= 1, `the database restarted mid-hand-off (${restarts.handoff} times)`);
  t.equal(check.state.overlaps, 0, `never two live runs of the task (${check.state.samples} samples; ${JSON.stringify(check.state.byPhase)})`);
  t.comment(`follow-ups across hosts, ${ROUNDS} rounds of kill -9 and partition: ${keys.length} sent twice each (${retries} sends refused by a restart or the cut and sent again), ${keys.length} carried out once, ${requeued.length} put back after a cut-off run, restarts mid-claim ${restarts.claim}, mid-hand-off ${restarts.handoff}, ${check.state.samples} samples, ${check.state.overlaps} with two live runs`);
});
