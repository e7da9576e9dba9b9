// Reliability under races and bad input: the start race with a barrier and random
// delays, a hostile worker interrupted with follow-ups queued during its shutdown, bad
// NDJSON and broken pipes, and what must never leak (paths, shells, secrets).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { binPath, nodeArgv, nodeCommand, chainOver, fixture, historyOf, nodeWorker, parseRecords, pidAlive, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

const ROUNDS = Number(process.env.TM_SOAK_ROUNDS ?? 2);

t.test('start race: 16 dispatchers at the same instant start exactly one worker, round after round; the others are told who holds the task', async (t) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'workers.log');
  const env = { ...box.env, SLEEPER_LOG: log, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '30'), MAX_DELAY_MS: '15' };
  let violations = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const slug = `race-${round}`;
    const go = path.join(path.dirname(box.repo), `go-${round}`);
    const runs = Array.from({ length: 16 }, () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(...nodeArgv(fixture('reliability', 'barrier-dispatch.mjs'), [go, binPath('dispatch'), slug, '--prompt', 'x']), { cwd: box.repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => resolve({ code, out, err }));
      }),
    );
    // Open the barrier once all 16 are at it.
    const ready = () => fs.readdirSync(path.dirname(go)).filter((n) => n.startsWith(`${path.basename(go)}.ready-`)).length;
    await waitFor(() => ready() === 16, `round ${round}: all 16 dispatchers at the barrier`, 60_000);
    fs.writeFileSync(go, '');
    const results = await Promise.all(runs);
    const started = results.filter((r) => r.code === 0).length;
    const conflicts = results.filter((r) => r.code === 3 && parseRecords(r.out)[0]?.code === 'conflict').length;
    await waitFor(() => fs.existsSync(log) && parseRecords(fs.readFileSync(log, 'utf8')).some((r) => r.slug === slug), `round ${round} worker up`);
    const workers = parseRecords(fs.readFileSync(log, 'utf8')).filter((r) => r.slug === slug).length;
    if (started !== 1 || conflicts !== 15 || workers !== 1) violations += 1;
    // What a refused dispatcher says: a conflict record and one line; a refusal because of
    // the live worker names it (the other kind, a claim lost at the same instant —
    // proper-lockfile#121 — has no holder yet).
    const refused = results.filter((r) => r.code === 3);
    for (const r of refused) {
      t.match(parseRecords(r.out)[0], { type: 'error', code: 'conflict', slug }, `round ${round}: a conflict record`);
      t.match(r.err, new RegExp(`^dispatch: task ${slug} already has a live worker|^dispatch: task ${slug} was claimed`, 'm'));
    }
    const named = refused.filter((r) => /already has a live worker/.test(r.err));
    t.ok(named.length > 0, `round ${round}: at least one refusal found the live worker`);
    for (const r of named) {
      t.ok((parseRecords(r.out)[0]?.holder?.supervisor_pid ?? 0) > 0, 'the holder record names the supervisor');
      t.match(r.err, /supervisor pid \d+, worker pid (\d+|-)/, 'the message names the supervisor and the worker');
    }
    // Stop this round's worker so the machine stays quiet.
    const s = statusOf(box, slug);
    process.kill(s.owner.pid, 'SIGTERM');
    await waitFor(() => chainOver(box, slug), `round ${round} over`);
  }
  t.equal(violations, 0);
  t.comment(`start race: ${ROUNDS} rounds x 16 dispatchers, ${violations} invariant violations`);
});

t.test('hostile worker: interrupts, a follow-up queued during a shutdown, a SIGTERM and a stop: every follow-up in order, none lost', async (t) => {
  const box = sandbox(t);
  const pids = path.join(path.dirname(box.repo), 'hostile.pids');
  const env = { ...box.env, HOSTILE_PIDS: pids, TASK_MANAGER_KILL_GRACE_SECONDS: '2', TASK_MANAGER_WORKER_CMD: nodeWorker('hostile.mjs') };
  const d = await runBin('dispatch', ['host', '--prompt', 'p0'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => fs.existsSync(pids), 'hostile up');
  // A grace long enough that the next follow-up surely arrives during the shutdown, however
  // loaded the machine (the worker ignores SIGTERM: its run ends when the grace does).
  const i = await runBin('dispatch-continue', ['host', '--interrupt', '--grace', '6', '--prompt', 'p1'], { cwd: box.repo, env });
  t.match(i.records[0], { result: 'interrupted' });
  // While the first run ignores SIGTERM during its grace period:
  const q = await runBin('dispatch-continue', ['host', '--prompt', 'p2'], { cwd: box.repo, env });
  t.match(q.records[0], { result: 'queued', position: 2 }, 'queued behind the interrupt');
  // The second run (p1) starts only after the first group is gone; interrupt it too, so p2 runs.
  await waitFor(() => fs.existsSync(`${pids}.check`), 'second run started');
  t.same(JSON.parse(fs.readFileSync(`${pids}.check`, 'utf8').split('\n')[0]!).survivors, [], 'nothing of the first run was left');
  const i2 = await runBin('dispatch-continue', ['host', '--interrupt', '--prompt', 'p3'], { cwd: box.repo, env });
  t.match(i2.records[0], { result: 'interrupted', position: 1 });
  await waitFor(() => historyOf(box, 'host').filter((e) => e.event === 'run_started').length === 3, 'p3 runs');
  // SIGTERM to the supervisor (what a host going down sends): the current run is
  // interrupted, its follow-up goes back to the head of the queue, the queue stays.
  process.kill(statusOf(box, 'host').owner.pid, 'SIGTERM');
  await waitFor(() => chainOver(box, 'host'), 'stopped');
  t.same(statusOf(box, 'host').followups.map((f: { prompt: string }) => f.prompt), ['p3', 'p2'], 'the cut-off follow-up first, the queued one after');
  const resumed = await runBin('dispatch-continue', ['host', '--prompt', 'p4'], { cwd: box.repo, env });
  t.match(resumed.records[0], { result: 'started', position: 2 }, 'a new chain runs the cut-off follow-up, then p2; this one after');
  await waitFor(() => historyOf(box, 'host').filter((e) => e.event === 'run_started').length === 4, 'p3 runs again');
  // An operator's stop ends it for good: not put back.
  const stop = await runBin('dispatch-stop', ['host', '--grace', '1'], { cwd: box.repo, env });
  t.match(stop.records[0], { result: 'stopped' });
  const prompts = historyOf(box, 'host').filter((e) => e.event === 'run_started').map((e) => e.argv.at(-1));
  t.same(prompts, ['p0', 'p1', 'p3', 'p3'], 'interrupts go first; only the run SIGTERM cut short ran again');
  t.same(statusOf(box, 'host').followups.map((f: { prompt: string }) => f.prompt), ['p2', 'p4'], 'p2 and p4 wait their turn');
  const all = fs.readFileSync(pids, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.ok(all.every((p) => !pidAlive(p.worker) && !pidAlive(p.grandchild)), 'no process of any run survives');
});

t.test('bad NDJSON and broken pipes: one error per bad line, the good lines processed, nothing outside the state dir', async (t) => {
  const box = sandbox(t);
  const outside = path.dirname(box.repo);
  const before = fs.readdirSync(outside).sort();
  const lines = [
    '\uFEFF{"slug":"good-1","prompt":"a"}',
    '{"slug":"good-2","prompt":"b","unknown_field":[1,2,3]}\r',
    'not json at all',
    `{"slug":"huge","prompt":"${'x'.repeat(5 * 1024 * 1024)}"}`,
    '{"slug":"../escape","prompt":"c"}',
    '{"slug":"a/b","prompt":"c"}',
    '{"slug":"nul\\u0000byte","prompt":"c"}',
    '{"prompt":"no slug"}',
    '{"slug":"good-1","prompt":"duplicate in the same batch"}',
    '{"slug":"cut-off","prom',
  ];
  const r = await runBin('dispatch', ['-', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env, input: lines.join('\n'), timeoutMs: 60_000 });
  t.equal(r.code, 4, 'bad input, the most severe of the batch');
  const errors = r.records.filter((x) => x.type === 'error');
  t.same(errors.map((e) => e.source), ['stdin:3', 'stdin:4', 'stdin:5', 'stdin:6', 'stdin:7', 'stdin:8', 'stdin:10']);
  t.match(errors.find((e) => e.source === 'stdin:4'), { message: /longer than/ });
  t.match(errors.find((e) => e.source === 'stdin:10'), { message: /ended in the middle/ });
  const started = r.records.filter((x) => x.type === 'dispatch' && x.result === 'started').map((x) => x.slug);
  t.same(started, ['good-1', 'good-2', 'good-1'], 'the duplicate ran after the first (with --wait each finished) — never beside it');
  t.equal(r.stderr.trim().split('\n').length, 7, 'one stderr line per bad line');
  t.same(fs.readdirSync(outside).sort(), before, 'nothing created outside the repository');
  t.notOk(fs.existsSync(path.join(box.stateDir, '..', '..', 'escape')));
  // A duplicate while the first still runs is a conflict, not a second worker.
  const dup = await runBin('dispatch', ['-', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: box.env, input: '{"slug":"twice","prompt":"a"}\n{"slug":"twice","prompt":"b"}\n' });
  t.equal(dup.code, 3);
  t.same(dup.records.map((x) => x.type === 'error' ? x.code : x.result), ['started', 'conflict']);
  // stdout closed by the reader: a quiet exit.
  const sh = spawn('sh', ['-c', `${nodeCommand(binPath('dispatch-watch'))} --follow | head -1`], { cwd: box.repo, env: box.env });
  let err = '';
  let closed = false;
  sh.stderr.on('data', (d) => (err += d));
  const code = new Promise<number | null>((resolve) => sh.on('close', (c) => ((closed = true), resolve(c))));
  // dispatch-watch --follow writes again on the next change: make changes until the pipeline is over.
  for (let i = 0; !closed && i < 30; i++) await runBin('dispatch', [`poke-${i}`, '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(await code, 0);
  t.equal(err, '', 'no EPIPE noise');
});

t.test('security: prompts never reach a shell, files are owner-only, environment secrets stay out of state', async (t) => {
  const box = sandbox(t);
  const marker = path.join(path.dirname(box.repo), 'pwned');
  const env = { ...box.env, MY_API_KEY: 'sk-very-secret-value' };
  const r = await runBin('dispatch', ['sec', '--prompt', `$(touch ${marker}); \`touch ${marker}\` && touch ${marker}`, '--wait', '--worker-cmd', 'printf %s'], { cwd: box.repo, env });
  t.equal(r.code, 0, r.stderr);
  t.notOk(fs.existsSync(marker), 'the prompt was an argument, not shell code');
  for (const name of fs.readdirSync(box.stateDir)) {
    const file = path.join(box.stateDir, name);
    if (!fs.statSync(file).isFile()) continue;
    t.equal(fs.statSync(file).mode & 0o077, 0, `${name} is owner-only`);
    t.notMatch(fs.readFileSync(file, 'utf8'), /sk-very-secret-value/, `${name} holds no environment secret`);
  }
  t.equal(fs.statSync(box.stateDir).mode & 0o077, 0, 'the state directory is owner-only');
});
