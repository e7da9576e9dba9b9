// dispatch-stop: stop a run, hold the task, release it; never a failure, never retried.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runTool } from '../fixtures/in-process.js';
import { chainOver, historyOf, killSupervisor, nodeWorker, parseRecords, pidAlive, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

const classOf = async (box: ReturnType<typeof sandbox>, slug: string, env: Record<string, string> = {}) => {
  const r = await runTool('hb-tick', ['--dry-run'], { cwd: box.repo, env: { ...box.env, ...env } });
  return r.records.find((x) => x.type === 'task' && x.slug === slug);
};

t.test('a running task is stopped and held; its queued follow-up stays queued and never runs', async (t) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'sleeper.log');
  const env = { ...box.env, SLEEPER_LOG: log, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60') };
  writeTask(box, 'job', 'status: ready');
  const started = await runBin('dispatch', ['job', '--prompt', 'first'], { cwd: box.repo, env });
  t.equal(started.code, 0, started.stderr);
  const queued = await runBin('dispatch-continue', ['job', '--prompt', 'second'], { cwd: box.repo, env });
  t.match(queued.records[0], { result: 'queued', position: 1 });
  const worker = statusOf(box, 'job').worker.pid;
  const stop = await runBin('dispatch-stop', ['job', '--grace', '2'], { cwd: box.repo, env });
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.records[0], { type: 'stop', slug: 'job', result: 'stopped', state: 'stopped', followups_pending: 1, by: /dispatch-stop$/ });
  t.notOk(pidAlive(worker), 'the worker is dead when dispatch-stop returns');
  const over = await waitFor(() => chainOver(box, 'job'), 'the supervisor released the task');
  t.match(over, { state: 'stopped', outcome: 'stopped', failures: 0, held: { by: /dispatch-stop$/, reason: 'operator' } });
  t.equal(over.followups.length, 1, 'the follow-up is still queued');
  const ran = fs.existsSync(log) ? parseRecords(fs.readFileSync(log, 'utf8')).map((r) => r.prompt) : [];
  t.notOk(ran.includes('second'), `the follow-up never ran (ran: ${ran.join(', ')})`);
  t.match(historyOf(box, 'job').filter((e) => e.event === 'held'), [{ by: /dispatch-stop$/, stopping: true }], 'history says who stopped it');
  t.match(await classOf(box, 'job', { TASK_MANAGER_WORKER_CMD: 'true' }), { class: 'held', reason: /dispatch-stop --release job/ });
  const tick = await runBin('hb-tick', [], { cwd: box.repo, env });
  t.equal(tick.records.filter((r) => r.type === 'action').length, 0, 'the heartbeat leaves it alone');
  const watch = await runBin('dispatch-watch', ['job', '--json'], { cwd: box.repo, env });
  t.match(watch.records[0], { dispatch_state: 'stopped', held: { reason: 'operator' } });
  // Released, the task is the heartbeat's again, and its queued follow-up is what runs next.
  const release = await runTool('dispatch-stop', ['--release', 'job'], { cwd: box.repo, env });
  t.match(release.records[0], { result: 'released' });
  t.match(await classOf(box, 'job'), { class: 'dispatchable' }, 'a stop is not a failure: no cooldown');
});

t.test('a task that is not running is held before the heartbeat takes it; an explicit dispatch lifts the hold', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'later', 'status: ready');
  const held = await runTool('dispatch-stop', ['later', '--reason', 'waiting for the API key'], { cwd: box.repo, env: box.env });
  t.equal(held.code, 0, held.stderr);
  t.match(held.records[0], { result: 'held', run_id: null });
  t.match(await classOf(box, 'later'), { class: 'held' });
  const again = await runTool('dispatch-stop', ['later'], { cwd: box.repo, env: box.env });
  t.match(again.records[0], { result: 'already_held' });
  const dispatched = await runBin('dispatch', ['later', '--worker', 'demo', '--prompt', 'go'], { cwd: box.repo, env: box.env });
  t.equal(dispatched.code, 0, dispatched.stderr);
  t.match(dispatched.records[0], { result: 'started', hold_released: true }, 'the record says the hold was lifted');
  t.match(historyOf(box, 'later').filter((e) => e.event === 'hold_released'), [{ by: 'dispatch', held_by: /dispatch-stop$/ }]);
  const notHeld = await runTool('dispatch-stop', ['--release', 'never-held'], { cwd: box.repo, env: box.env });
  t.match(notHeld.records[0], { result: 'not_held' });
  const bad = await runTool('dispatch-stop', ['--release', 'x', '--reason', 'y'], { cwd: box.repo, env: box.env });
  t.equal(bad.code, 2, 'options that mean nothing with --release are usage errors');
});

t.test('SIGTERM to a supervisor stays an interruption (a failure, retried); an operator stop does not', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60') };
  const r = await runBin('dispatch', ['term', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(r.code, 0, r.stderr);
  process.kill(statusOf(box, 'term').owner.pid, 'SIGTERM');
  const over = await waitFor(() => chainOver(box, 'term'), 'the chain ended');
  t.match(over, { state: 'interrupted', outcome: 'interrupted', failures: 1 });
  t.notOk(over.held, 'not held');
});

t.test('an orphaned run is stopped by dispatch-stop itself', async (t) => {
  const box = sandbox(t);
  // A quiet worker: its supervisor never holds the lock to note output when it is killed.
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60'), SLEEPER_QUIET: '1' };
  const r = await runBin('dispatch', ['orph', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(r.code, 0, r.stderr);
  const s = await killSupervisor(box, 'orph');
  await waitFor(() => !pidAlive(s.owner.pid), 'the supervisor is gone');
  const stop = await runBin('dispatch-stop', ['orph', '--grace', '1'], { cwd: box.repo, env });
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.records[0], { result: 'stopped', state: 'stopped' });
  t.notOk(pidAlive(s.worker.pid), 'the orphan is dead');
  t.match(statusOf(box, 'orph'), { state: 'stopped', held: { by: /dispatch-stop$/ } });
});
