// Reliability under faults: kill -9 at every step boundary, a lock holder frozen past
// the stale time, a full disk, and a crash-looping worker. Each scenario prints its
// figure: rounds run and invariant violations (must be 0). `just soak` runs more rounds.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { binPath, nodeArgv, nodeCommand, chainOver, historyOf, nodeWorker, parseRecords, pidAlive, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

const ROUNDS = Number(process.env.TM_SOAK_ROUNDS ?? 1);
// The crash loop: tasks that fail every run. `just soak` (TM_SOAK_ROUNDS) runs the 20 of old.
const CRASH_TASKS = Number(process.env.TM_CRASH_LOOP_TASKS ?? (process.env.TM_SOAK_ROUNDS ? 20 : 8));

// The scenarios are independent (each has its own repository): they run side by side,
// so the waits for a stale lock (10 s) overlap instead of adding up.
t.jobs = 4;

/** Live workers of a slug, from the pids the sleeper fixture logs at start. */
const liveWorkers = (logFile: string, slug: string): number[] => {
  if (!fs.existsSync(logFile)) return [];
  return parseRecords(fs.readFileSync(logFile, 'utf8'))
    .filter((r) => r.slug === slug)
    .map((r) => r.pid as number)
    .filter((pid) => pidAlive(pid));
};

const POINTS = [
  'claim-before-fence',
  'claim-after-fence',
  'claim-after-write',
  'dispatch-before-supervisor',
  'dispatch-after-supervisor',
  'supervisor-start',
  'supervisor-owned',
  'supervisor-before-spawn',
  'supervisor-spawned',
  'supervisor-running',
];

/** One kill -9 scenario, in its own repository: the process dies at `point`; then reap, watch and a new dispatch. */
const killAt = async (t: Test, point: string, round: number) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'workers.log');
  const env = { ...box.env, SLEEPER_LOG: log, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60'), TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS: '3' };
  let violations = 0;
  const check = (ok: boolean, what: string) => {
    if (!ok) violations += 1;
    t.ok(ok, what);
  };
  const slug = `k-${round}-${point}`;
  if (point === 'supervisor-handoff') {
    // The first run lasts until the follow-up is queued (a gate file, not a guess at how
    // fast a loaded machine is); the supervisor dies right after taking the follow-up.
    const gate = path.join(path.dirname(box.repo), `gate-${slug}`);
    const quick = { ...env, TASK_MANAGER_WORKER_CMD: `sh -c 'while [ ! -e ${gate} ]; do sleep 0.05; done' sh`, TASK_MANAGER_FAULT: `kill:${point}` };
    await runBin('dispatch', [slug, '--prompt', 'first'], { cwd: box.repo, env: quick });
    await runBin('dispatch-continue', [slug, '--prompt', 'second'], { cwd: box.repo, env });
    fs.writeFileSync(gate, '');
    await waitFor(() => historyOf(box, slug).some((e) => e.event === 'run_ended') && !pidAlive(statusOf(box, slug)?.owner?.pid), `${point}: the supervisor died at the hand-off`, 60_000);
  } else if (point === 'continue-after-queue') {
    await runBin('dispatch', [slug, '--prompt', 'first'], { cwd: box.repo, env });
    const c = await runBin('dispatch-continue', [slug, '--prompt', 'second'], { cwd: box.repo, env: { ...env, TASK_MANAGER_FAULT: `kill:${point}` } });
    check(c.code === null, `${point}: continue died`);
  } else {
    await runBin('dispatch', [slug, '--prompt', 'x'], { cwd: box.repo, env: { ...env, TASK_MANAGER_FAULT: `kill:${point}` } });
  }
  check(liveWorkers(log, slug).length <= 1, `${point}: at most one worker`);
  // Reap, then the invariants.
  const reap = await runBin('worker-reap', [slug], { cwd: box.repo, env });
  check(reap.code === 0 || reap.code === 4, `${point}: reap ran (${reap.stderr.trim()})`);
  const watch = await runBin('dispatch-watch', [slug], { cwd: box.repo, env });
  const state = watch.records[0]?.dispatch_state;
  const status = statusOf(box, slug);
  if (status && (status.state === 'running' || status.state === 'starting')) {
    check(state === status.state || state === 'orphaned', `${point}: a status that says ${status.state} is alive (${state})`);
  }
  // Whatever is left, a new dispatch either starts or is refused because a worker
  // is really there — never blocked by a lock for longer than its stale time.
  const again = await runBin('dispatch', [slug, '--prompt', 'again'], { cwd: box.repo, env: { ...env, TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS: '20' }, timeoutMs: 40_000 });
  // The sleeper logs its pid as it starts: wait for that, not for a fixed time. A refusal
  // may come from a supervisor that has not started its worker yet: wait for it too.
  const live = again.code === 0 || again.code === 3 ? await waitFor(() => (liveWorkers(log, slug).length > 0 ? liveWorkers(log, slug) : undefined), `${point}: a worker up`, 30_000) : liveWorkers(log, slug);
  if (again.code === 0) check(live.length === 1, `${point}: redispatch started the only worker`);
  else check(again.code === 3 && live.length === 1, `${point}: refused only because a worker lives (${again.stderr.trim()})`);
  check(liveWorkers(log, slug).length <= 1, `${point}: never two workers`);
  t.comment(`kill -9 at ${point}: 1 round, ${violations} invariant violations`);
  return violations;
};

// A death inside a critical section leaves its lock for the stale time (10 s): those
// scenarios start first, so that their waits overlap.
const HOLDING_A_LOCK = ['claim-before-fence', 'claim-after-fence', 'claim-after-write', 'continue-after-queue'];
const ALL_POINTS = [...POINTS, 'supervisor-handoff', 'continue-after-queue'];

t.test('kill -9 at every step boundary: never two workers, no false "running", no lock that blocks for good', { jobs: 6 }, async (t) => {
  let rounds = 0;
  let violations = 0;
  const scenarios = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const point of [...HOLDING_A_LOCK, ...ALL_POINTS.filter((p) => !HOLDING_A_LOCK.includes(p))]) {
      scenarios.push(t.test(`round ${round}: kill -9 at ${point}`, async (t) => {
        violations += await killAt(t, point, round);
        rounds += 1;
      }));
    }
  }
  await Promise.all(scenarios);
  t.comment(`kill -9 at step boundaries: ${rounds} rounds, ${violations} invariant violations`);
});

t.test('a lock holder frozen past the stale time, then resumed: the loser spawns nothing and writes nothing', async (t) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'workers.log');
  // A quiet worker: the winner's supervisor writes nothing once it runs (no output to note),
  // so any change to the status after the loser resumes would be the loser's.
  const env = { ...box.env, SLEEPER_LOG: log, SLEEPER_QUIET: '1', TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60') };
  const frozen = spawn(...nodeArgv(binPath('dispatch'), ['frozen', '--prompt', 'x']), { cwd: box.repo, env: { ...env, TASK_MANAGER_FAULT: 'stop:claim-before-fence' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let frozenOut = '';
  let frozenErr = '';
  frozen.stdout.on('data', (d) => (frozenOut += d));
  frozen.stderr.on('data', (d) => (frozenErr += d));
  const frozenExit = new Promise<number | null>((resolve) => frozen.on('close', resolve));
  t.teardown(() => frozen.kill('SIGKILL'));
  await waitFor(() => fs.readFileSync(`/proc/${frozen.pid}/stat`, 'utf8').includes(') T '), 'the claimer is stopped inside the section');
  const winner = await runBin('dispatch', ['frozen', '--prompt', 'y'], { cwd: box.repo, env, timeoutMs: 60_000 });
  t.equal(winner.code, 0, `the second dispatcher took the stale lock over (${winner.stderr})`);
  const before = fs.readFileSync(path.join(box.stateDir, 'dispatch-frozen.status.json'), 'utf8');
  frozen.kill('SIGCONT');
  const code = await frozenExit;
  t.equal(code, 3, 'the resumed claimer lost: conflict');
  t.match(frozenErr, /claimed by another process|already has a live worker/);
  t.notMatch(frozenErr, /ECOMPROMISED|\n\s+at /, 'no uncaught compromise');
  t.match(parseRecords(frozenOut)[0], { type: 'error', code: 'conflict' });
  t.equal(fs.readFileSync(path.join(box.stateDir, 'dispatch-frozen.status.json'), 'utf8'), before, 'the loser wrote nothing');
  const live = await waitFor(() => (liveWorkers(log, 'frozen').length > 0 ? liveWorkers(log, 'frozen') : undefined), 'the winner\'s worker up');
  t.equal(live.length, 1, 'one worker');
  t.comment(`lock takeover after SIGSTOP: 1 round, ${live.length === 1 && code === 3 ? 0 : 1} violations`);
});

t.test('disk full while claiming: nothing starts, no temp file, the task is claimable afterwards', async (t) => {
  const box = sandbox(t);
  const promptFile = path.join(path.dirname(box.repo), 'big-prompt.txt');
  fs.writeFileSync(promptFile, 'p'.repeat(4000)); // the status with this prompt outgrows a 1-block file size limit
  const r = spawnSync('bash', ['-c', `ulimit -f 1; exec ${nodeCommand(binPath('dispatch'))} full --prompt-file ${JSON.stringify(promptFile)} --worker-cmd true`], { cwd: box.repo, env: box.env, encoding: 'utf8' });
  t.equal(r.status, 1, r.stderr);
  t.match(parseRecords(r.stdout)[0], { type: 'error', code: 'write_failed', message: /EFBIG/ });
  t.same(fs.readdirSync(box.stateDir).filter((n) => n.includes('.tmp') || n.endsWith('.status.json')), [], 'no status and no temp file');
  t.notOk(fs.existsSync(path.join(box.worktreesDir, 'full')), 'no worker was started (no worktree even)');
  const after = await runBin('dispatch', ['full', '--prompt', 'small', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(after.code, 0, `the fence left by the failed claim does not block the task (${after.stderr})`);
});

t.test('a crash-looping worker on many tasks with overlapping ticks: backoff, gave_up, the cap never exceeded', async (t) => {
  const box = sandbox(t);
  for (let i = 0; i < CRASH_TASKS; i++) writeTask(box, `crash-${String(i).padStart(2, '0')}`, 'status: ready');
  const env = {
    ...box.env,
    TASK_MANAGER_WORKER_CMD: "sh -c 'exit 1' sh",
    TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: '4',
    TASK_MANAGER_MAX_ATTEMPTS: '2',
    TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '0.5',
  };
  let violations = 0;
  let ticks = 0;
  for (let pair = 0; pair < 40; pair++) {
    const [a, b] = await Promise.all([runBin('hb-tick', [], { cwd: box.repo, env }), runBin('hb-tick', [], { cwd: box.repo, env })]);
    ticks += 2;
    const started = [a, b].map((r) => r.records.filter((x) => x.type === 'action' && x.result === 'started').length);
    if (started[0]! > 4 || started[1]! > 4) violations += 1;
    const snaps = [a, b].map((r) => r.records.at(-1));
    // Overlapping ticks together stay within the cap; a tick that ran alone may use all of it.
    if (!snaps.some((s) => s?.skipped) && started[0]! + started[1]! > 4) {
      const aEnd = Date.parse(snaps[0]?.finished_at);
      const bStart = Date.parse(snaps[1]?.started_at);
      const bEnd = Date.parse(snaps[1]?.finished_at);
      const aStart = Date.parse(snaps[0]?.started_at);
      if (aStart < bEnd && bStart < aEnd) violations += 1; // they overlapped and both dispatched
    }
    const done = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
    const classes = done.records.filter((x) => x.type === 'task').map((x) => x.class);
    if (classes.every((c) => c === 'gave_up')) break;
  }
  const final = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  const tasks = final.records.filter((x) => x.type === 'task');
  t.equal(tasks.filter((x) => x.class === 'gave_up').length, CRASH_TASKS, 'every task gave up after 2 failed runs');
  for (const task of tasks) {
    const runs = historyOf(box, task.slug).filter((e) => e.event === 'run_started');
    if (runs.length !== 2) violations += 1;
    const ends = historyOf(box, task.slug).filter((e) => e.event === 'run_ended');
    // The retry waited at least the cooldown (0.5 s, minus 10 % jitter).
    if (ends[0] && runs[1] && Date.parse(runs[1].ts) - Date.parse(ends[0].ts) < 450) violations += 1;
  }
  t.equal(violations, 0, 'cap, attempts and backoff all held');
  t.comment(`crash loop: ${ticks} ticks over ${CRASH_TASKS} tasks, ${violations} invariant violations`);
  for (const slug of tasks.map((x) => x.slug)) await waitFor(() => chainOver(box, slug), `${slug} over`);
});
