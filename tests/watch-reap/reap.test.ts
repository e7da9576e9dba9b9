// worker-reap end to end: real stand-in processes, status files written with the real
// writer, the built bin run as a process; and once with a real dispatch. What only reads
// and writes status files (watch, reports, dry runs) runs the tools in this process.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { historyOf, killSupervisor, nodeWorker, pidAlive, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';
import { runTool } from '../fixtures/in-process.js';
import {
  alive,
  dirState,
  historyEvents,
  killAndWait,
  pipeWatchToReap,
  putStatus,
  readStatusFile,
  runStatus,
  standIns,
  statusPath,
} from '../fixtures/watch-reap-util.js';

t.test('the task card: a dead running worker becomes worker_gone', async (t) => {
  const box = sandbox(t);
  // A quiet worker: its supervisor never holds the lock to note output when it is killed.
  const d = await runBin('dispatch', ['dead', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: { ...box.env, SLEEPER_QUIET: '1' } });
  t.equal(d.code, 0, d.stderr);
  t.equal(statusOf(box, 'dead').state, 'running');
  const s = await killSupervisor(box, 'dead', { worker: true });
  await waitFor(() => !pidAlive(s.owner.pid) && !pidAlive(s.worker.pid), 'supervisor and worker dead');

  const watch = await runBin('dispatch-watch', ['dead'], { cwd: box.repo, env: box.env });
  t.match(watch.records, [{ type: 'status', slug: 'dead', state: 'running', dispatch_state: 'worker_gone', done: true }], 'watch sees it before any reap');
  const reap = await runBin('worker-reap', [], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  t.match(reap.records, [{ type: 'reap', slug: 'dead', action: 'marked_worker_gone', from: 'running', to: 'worker_gone', run_id: s.run_id, dry_run: false }]);
  t.equal(reap.records.length, 1);
  const after = statusOf(box, 'dead');
  t.match(after, { state: 'worker_gone', outcome: 'worker_gone', failures: s.failures + 1, fence: s.fence, run_id: s.run_id });
  t.ok(after.ended_at && after.ended_mono, 'ended_at and ended_mono: the retry cooldown starts here');
  t.match(historyOf(box, 'dead').at(-1), { event: 'reaped', run_id: s.run_id, from: 'running', to: 'worker_gone', by: 'worker-reap' });
  const again = await runBin('worker-reap', [], { cwd: box.repo, env: box.env });
  t.same(again.records, [], 'a second reap finds nothing');
  t.equal(again.code, 0);
});

t.test('a reused pid or another boot never passes for alive and is never signalled', async (t) => {
  const box = sandbox(t);
  const procs = standIns(t);
  // Two unrelated live processes; the status records their pids with other start times
  // (the pids were reused) or another boot id (a reboot). One even carries a token,
  // but not this run's.
  const bystander = procs.sleeper();
  const other = procs.sleeper('token-of-another-run');
  const reused = (id: typeof bystander) => ({ ...id, start_time: String(Number(id.start_time) - 3) });
  const rebooted = (id: typeof bystander) => ({ ...id, boot_id: '00000000-0000-4000-8000-000000000000' });
  putStatus(box.stateDir, runStatus('reused', { owner: reused(bystander), worker: reused(other), token: 'token-reused' }));
  putStatus(box.stateDir, runStatus('rebooted', { owner: rebooted(bystander), worker: rebooted(other), token: 'token-rebooted' }));

  const watch = await runTool('dispatch-watch', ['--state-dir', box.stateDir], { cwd: box.repo, env: box.env });
  t.match(watch.records, [
    { slug: 'rebooted', state: 'running', dispatch_state: 'worker_gone' },
    { slug: 'reused', state: 'running', dispatch_state: 'worker_gone' },
  ]);
  const reap = await runTool('worker-reap', ['--kill-orphans', '--grace', '0.2', 'reused', 'rebooted'], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  t.match(reap.records, [
    { slug: 'reused', action: 'marked_worker_gone', to: 'worker_gone' },
    { slug: 'rebooted', action: 'marked_worker_gone', to: 'worker_gone' },
  ]);
  t.ok(alive(bystander.pid) && alive(other.pid), 'neither process whose pid was recorded got a signal');
  t.equal(readStatusFile(box.stateDir, 'reused').state, 'worker_gone');
  t.equal(readStatusFile(box.stateDir, 'rebooted').state, 'worker_gone');
  t.match(historyEvents(box.stateDir, 'reused'), [{ event: 'reaped', to: 'worker_gone' }]);
});

t.test('an orphan: reported and left alone, refused by dispatch, then stopped whole with --kill-orphans', async (t) => {
  const box = sandbox(t);
  const procs = standIns(t);
  const token = 'token-orphan-run';
  const supervisor = procs.sleeper();
  // The worker and its setsid'd grandchild ignore SIGTERM: only SIGKILL ends them.
  const { worker, grandchild, grandchildPgid } = await procs.workerWithGrandchild(token, { ignoreTerm: true });
  t.not(grandchildPgid, worker.pid, 'the grandchild left the worker group');
  const bystander = procs.sleeper(); // no token, another group: must survive
  const followup = { id: 'f-1', prompt: 'and then the docs', mode: 'queue' as const, queued_at: '2026-01-01T00:00:00.000Z' };
  putStatus(box.stateDir, runStatus('orph', { owner: supervisor, worker, token, followups: [followup] }));
  await killAndWait(supervisor.pid);

  const watch = await runTool('dispatch-watch', ['orph', '--state-dir', box.stateDir], { cwd: box.repo, env: box.env });
  t.match(watch.records, [{ slug: 'orph', state: 'running', dispatch_state: 'orphaned', done: false, followups_pending: 1 }]);
  const before = dirState(box.stateDir);

  const report = await runTool('worker-reap', ['--state-dir', box.stateDir], { cwd: box.repo, env: box.env });
  t.equal(report.code, 0, report.stderr);
  t.match(report.records, [{ slug: 'orph', action: 'orphaned', from: 'running', to: 'orphaned', reason: /--kill-orphans/ }]);
  t.ok(alive(worker.pid) && alive(grandchild.pid), 'left alone without --kill-orphans');
  t.same(dirState(box.stateDir), before, 'reporting an orphan changes nothing');

  const refused = await runBin('dispatch', ['orph', '--prompt', 'y', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(refused.code, 3, 'an orphan still blocks a new worker');

  const dry = await runTool('worker-reap', ['--kill-orphans', '--dry-run'], { cwd: box.repo, env: box.env });
  t.match(dry.records, [{ slug: 'orph', action: 'orphan_killed', to: 'worker_gone', dry_run: true }]);
  t.ok(alive(worker.pid) && alive(grandchild.pid), 'a dry run signals nothing');
  t.same(dirState(box.stateDir), before, 'a dry run writes nothing');

  const kill = await runBin('worker-reap', ['--kill-orphans', '--grace', '0.3', 'orph'], { cwd: box.repo, env: box.env });
  t.equal(kill.code, 0, kill.stderr);
  t.match(kill.records, [{ slug: 'orph', action: 'orphan_killed', from: 'running', to: 'worker_gone', followups_pending: 1, reason: /SIGKILL.*empty.*1 queued follow-up stays queued/ }]);
  t.notOk(alive(worker.pid), 'the worker is gone');
  t.notOk(alive(grandchild.pid), 'the setsid grandchild carrying the token is gone');
  t.ok(alive(bystander.pid), 'a process without the token, in another group, lives on');
  const after = readStatusFile(box.stateDir, 'orph');
  t.match(after, { state: 'worker_gone', outcome: 'worker_gone', failures: 1 });
  t.same(after.followups, [followup], 'the queued follow-up is kept for the next chain');
  t.match(historyEvents(box.stateDir, 'orph').at(-1), { event: 'reaped', from: 'running', to: 'worker_gone', followups_pending: 1 });
});

t.test('a damaged status among good ones; --dry-run is byte-identical; stale and fresh locks', async (t) => {
  const box = sandbox(t);
  const procs = standIns(t);
  const liveOwner = procs.sleeper();
  const liveWorker = procs.sleeper('token-live');
  const deadOwner = procs.sleeper();
  const deadWorker = procs.sleeper('token-gone');
  putStatus(box.stateDir, runStatus('a-gone', { owner: deadOwner, worker: deadWorker, token: 'token-gone' }));
  putStatus(box.stateDir, runStatus('b-live', { owner: liveOwner, worker: liveWorker, token: 'token-live' }));
  putStatus(box.stateDir, runStatus('c-done', { state: 'exited', outcome: 'ok', exit_code: 0, owner: deadOwner }));
  fs.writeFileSync(statusPath(box.stateDir, 'd-broken'), '{"type":"status","slu');
  await killAndWait(deadOwner.pid);
  await killAndWait(deadWorker.pid);
  // Lock directories: one left by a killed holder 20 s ago (a dispatch that never
  // wrote a status, even), one a live holder refreshed just now.
  const stale = path.join(box.stateDir, 'dispatch-e-locked.lock');
  const fresh = path.join(box.stateDir, 'dispatch-b-live.lock');
  fs.mkdirSync(stale);
  fs.mkdirSync(fresh);
  const old = new Date(Date.now() - 20_000);
  fs.utimesSync(stale, old, old);

  const before = dirState(box.stateDir);
  const dry = await runTool('worker-reap', ['--dry-run', '--state-dir', box.stateDir], { cwd: box.repo, env: box.env });
  t.equal(dry.code, 4, 'the damaged status is bad input');
  t.match(dry.records, [
    { type: 'reap', slug: 'a-gone', action: 'marked_worker_gone', dry_run: true },
    { type: 'error', slug: 'd-broken', code: 'status_invalid_json' },
    { type: 'reap', slug: 'e-locked', action: 'stale_lock_removed', dry_run: true },
  ]);
  t.equal(dry.records.length, 3);
  t.match(dry.stderr, /^worker-reap: d-broken: status file .*dispatch-d-broken\.status\.json is not valid JSON/m);
  t.same(dirState(box.stateDir), before, 'a dry run leaves the state directory byte-identical');

  const reap = await runTool('worker-reap', [], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 4);
  t.same(reap.records.map((r) => [r.slug, r.action ?? r.code]), [
    ['a-gone', 'marked_worker_gone'],
    ['d-broken', 'status_invalid_json'],
    ['e-locked', 'stale_lock_removed'],
  ]);
  t.equal(readStatusFile(box.stateDir, 'a-gone').state, 'worker_gone');
  t.equal(readStatusFile(box.stateDir, 'b-live').state, 'running', 'a live run is not touched');
  t.notOk(fs.existsSync(stale), 'the stale lock is gone');
  t.ok(fs.existsSync(fresh), 'a lock its holder keeps fresh stays');
  t.equal(fs.readFileSync(statusPath(box.stateDir, 'd-broken'), 'utf8'), '{"type":"status","slu', 'the damaged file is left for a person to inspect');
});

t.test('dispatch-watch --state running | worker-reap -, and bad lines on stdin', async (t) => {
  const box = sandbox(t);
  const procs = standIns(t);
  const owners = [procs.sleeper(), procs.sleeper(), procs.sleeper()];
  const workers = [procs.sleeper('t0'), procs.sleeper('t1'), procs.sleeper('t2')];
  putStatus(box.stateDir, runStatus('p-dead-1', { owner: owners[0], worker: workers[0], token: 't0' }));
  putStatus(box.stateDir, runStatus('p-dead-2', { state: 'starting', owner: owners[1], worker: null, token: 't1' }));
  putStatus(box.stateDir, runStatus('p-live', { owner: owners[2], worker: workers[2], token: 't2' }));
  putStatus(box.stateDir, runStatus('p-exited', { state: 'exited', outcome: 'ok', exit_code: 0 }));
  for (const p of [owners[0], workers[0], owners[1], workers[1]]) await killAndWait(p!.pid);

  const filtered = await runTool('dispatch-watch', ['--state', 'running'], { cwd: box.repo, env: box.env });
  t.same(filtered.records.map((r) => [r.slug, r.dispatch_state]), [['p-dead-1', 'worker_gone'], ['p-live', 'running']], '--state running: what the file says, dead or alive');
  const piped = await pipeWatchToReap(['--state', 'running,starting'], ['-'], box.env, box.repo);
  t.equal(piped.watchCode, 0, piped.stderr);
  t.equal(piped.reapCode, 0, piped.stderr);
  const records = piped.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(records.map((r) => [r.slug, r.action]), [['p-dead-1', 'marked_worker_gone'], ['p-dead-2', 'marked_worker_gone']]);
  t.equal(readStatusFile(box.stateDir, 'p-dead-2').state, 'worker_gone', 'a run that died while starting');
  t.equal(readStatusFile(box.stateDir, 'p-live').state, 'running');

  const bad = await runTool('worker-reap', ['-'], { cwd: box.repo, env: box.env, input: '{"slug":"../etc"}\nnot json\n{"slug":"p-live"}\n{"slug":"nope"}\n' });
  t.equal(bad.code, 4);
  t.match(bad.records, [
    { type: 'error', code: 'invalid_slug', source: 'stdin:1' },
    { type: 'error', code: 'invalid_record', source: 'stdin:2' },
    { type: 'error', code: 'status_missing', slug: 'nope' },
  ]);
  t.match(bad.stderr, /^worker-reap: stdin:2: not valid JSON: not json$/m);
  const usage = await runTool('worker-reap', ['--grace', 'soon'], { cwd: box.repo, env: box.env });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--grace must be a number/);
});
