// The operator's day: a cap on live workers, the follow-up queue, being told of events.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runTool } from '../fixtures/in-process.js';
import { putStatus, runStatus } from '../fixtures/watch-reap-util.js';
import { chainOver, historyOf, killSupervisor, nodeWorker, parseRecords, pidAlive, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

t.test('--max-active: hb-tick never lets more workers live than the cap, whatever the per-cycle cap says', async (t) => {
  const box = sandbox(t);
  // Quiet workers: a supervisor killed here never holds the lock to note output.
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60'), SLEEPER_QUIET: '1', TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: '5' };
  for (const slug of ['a', 'b', 'c', 'd']) writeTask(box, slug, 'status: ready');
  // One worker already runs, started by hand (it counts, though the tick did not start it).
  const byHand = await runBin('dispatch', ['by-hand', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(byHand.code, 0, byHand.stderr);
  const tick = await runBin('hb-tick', ['--max-active', '3'], { cwd: box.repo, env });
  t.equal(tick.code, 0, tick.stderr);
  t.equal(tick.records.filter((r) => r.type === 'action' && r.result === 'started').length, 2, 'room for two more');
  t.match(tick.records.at(-1), { type: 'snapshot', active: 1, max_active: 3, dispatched: 2 });
  const again = await runBin('hb-tick', [], { cwd: box.repo, env: { ...env, TASK_MANAGER_MAX_ACTIVE: '3' } });
  t.equal(again.records.filter((r) => r.type === 'action').length, 0, 'full: nothing more');
  // An orphan counts too.
  const s = await killSupervisor(box, 'by-hand');
  await waitFor(() => !pidAlive(s.owner.pid), 'supervisor gone');
  const orphaned = await runBin('hb-tick', ['--max-active', '3'], { cwd: box.repo, env });
  t.match(orphaned.records.at(-1), { active: 3, dispatched: 0 }, 'the orphan still counts');
});

t.test('dispatch-continue --list shows the queue; --drop removes one that has not started, under the queue lock', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60') };
  t.equal((await runBin('dispatch', ['q', '--prompt', 'run'], { cwd: box.repo, env })).code, 0);
  // Queueing on a running chain, listing and dropping read and write its status: in this process.
  const ids: string[] = [];
  for (const prompt of ['first follow-up\nwith a second line', 'second follow-up']) {
    const r = await runTool('dispatch-continue', ['q', '--prompt', prompt], { cwd: box.repo, env });
    ids.push(r.records[0].followup_id);
  }
  const list = await runTool('dispatch-continue', ['q', '--list'], { cwd: box.repo, env });
  t.equal(list.code, 0, list.stderr);
  t.match(list.records, [
    { type: 'queued', slug: 'q', followup_id: ids[0], position: 1, mode: 'queue', first_line: 'first follow-up' },
    { type: 'queued', followup_id: ids[1], position: 2, first_line: 'second follow-up' },
  ]);
  const drop = await runTool('dispatch-continue', ['q', '--drop', ids[0] as string], { cwd: box.repo, env });
  t.equal(drop.code, 0, drop.stderr);
  t.match(drop.records[0], { type: 'dropped', followup_id: ids[0] });
  t.same(statusOf(box, 'q').followups.map((f: { id: string }) => f.id), [ids[1]]);
  t.match(historyOf(box, 'q').filter((e) => e.event === 'followup_dropped'), [{ followup_id: ids[0] }]);
  const missing = await runTool('dispatch-continue', ['q', '--drop', 'f-nope'], { cwd: box.repo, env });
  t.equal(missing.code, 4);
  t.match(missing.records[0], { code: 'no_such_followup' });
  const both = await runTool('dispatch-continue', ['q', '--list', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(both.code, 2, '--list sends nothing');
});

/** A hook that appends the event record from its stdin to heard.ndjson and says what it saw. */
const listening = (box: ReturnType<typeof sandbox>) => {
  const heard = path.join(path.dirname(box.repo), 'heard.ndjson');
  const hook = path.join(path.dirname(box.repo), 'hook.sh');
  fs.writeFileSync(hook, `#!/bin/sh\n{ cat; } >> ${heard}\necho "hook saw $1 $2"\n`, { mode: 0o755 });
  const events = () => (fs.existsSync(heard) ? parseRecords(fs.readFileSync(heard, 'utf8')) : []);
  return { env: { ...box.env, TASK_MANAGER_ON_EVENT: `${hook} {slug} {event}` }, events };
};

t.test('--on-event: the hook hears run_ended, then followup_started, with the record on stdin; its output goes to the task log', async (t) => {
  const box = sandbox(t);
  const { env, events } = listening(box);
  const gate = path.join(path.dirname(box.repo), 'go');
  const cmd = `sh -c 'while [ ! -e ${gate} ]; do sleep 0.05; done; echo done' --`;
  t.equal((await runBin('dispatch', ['ev', '--prompt', 'one', '--worker-cmd', cmd], { cwd: box.repo, env })).code, 0);
  t.equal((await runBin('dispatch-continue', ['ev', '--prompt', 'two', '--worker-cmd', cmd], { cwd: box.repo, env })).code, 0);
  fs.writeFileSync(gate, '');
  await waitFor(() => chainOver(box, 'ev'), 'the chain ended');
  await waitFor(() => events().filter((e) => e.event === 'run_ended').length === 2, 'two run_ended events');
  t.match(events().map((e) => e.event), ['run_ended', 'followup_started', 'run_ended']);
  t.match(events()[0], { type: 'event', event: 'run_ended', slug: 'ev', outcome: 'ok', state: 'exited' });
  t.match(fs.readFileSync(path.join(box.stateDir, 'dispatch-ev.log'), 'utf8'), /hook saw ev run_ended/, 'its output goes to the task log');
});

t.test('--on-event: the reaper tells the hook of worker_gone', async (t) => {
  const box = sandbox(t);
  const { env, events } = listening(box);
  const sleeper = { ...env, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60'), SLEEPER_QUIET: '1' };
  t.equal((await runBin('dispatch', ['gone', '--prompt', 'x'], { cwd: box.repo, env: sleeper })).code, 0);
  const s = await killSupervisor(box, 'gone', { worker: true });
  await waitFor(() => !pidAlive(s.worker.pid), 'both dead');
  const reap = await runBin('worker-reap', [], { cwd: box.repo, env });
  t.equal(reap.code, 0, reap.stderr);
  t.match(events().filter((e) => e.slug === 'gone'), [{ event: 'worker_gone', run_id: s.run_id }], 'the reaper told the hook');
});

t.test('--on-event: a failing hook is recorded in history and never in the way; one with shell operators is a usage error', async (t) => {
  const box = sandbox(t);
  const failing = { ...box.env, TASK_MANAGER_ON_EVENT: 'false' };
  t.equal((await runBin('dispatch', ['bad-hook', '--prompt', 'x', '--worker', 'demo', '--wait'], { cwd: box.repo, env: failing })).code, 0);
  await waitFor(() => historyOf(box, 'bad-hook').some((e) => e.event === 'hook_failed'), 'hook_failed in history');
  t.match(historyOf(box, 'bad-hook').find((e) => e.event === 'hook_failed'), { hook_event: 'run_ended', reason: 'exit code 1' });
  t.match(statusOf(box, 'bad-hook'), { state: 'exited', outcome: 'ok' });
  const usage = await runTool('dispatch', ['u', '--prompt', 'x', '--worker', 'demo', '--on-event', 'notify | tee'], { cwd: box.repo, env: box.env });
  t.equal(usage.code, 2, 'a hook with shell operators is a usage error');
  t.notOk(statusOf(box, 'u'), 'nothing claimed');
});


t.test('gave_up is told once, when a task gets there', async (t) => {
  const box = sandbox(t);
  const heard = path.join(path.dirname(box.repo), 'heard.ndjson');
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: 'false', TASK_MANAGER_MAX_ATTEMPTS: '1', TASK_MANAGER_ON_EVENT: `sh -c 'cat >> ${heard}' --` };
  writeTask(box, 'doomed', 'status: ready');
  t.equal((await runBin('hb-tick', [], { cwd: box.repo, env })).code, 0);
  await waitFor(() => chainOver(box, 'doomed'), 'the run failed');
  for (let i = 0; i < 2; i++) {
    const tick = await runBin('hb-tick', [], { cwd: box.repo, env });
    t.match(tick.records.find((r) => r.slug === 'doomed' && r.type === 'task'), { class: 'gave_up' });
  }
  const gaveUp = parseRecords(fs.readFileSync(heard, 'utf8')).filter((e) => e.event === 'gave_up');
  t.equal(gaveUp.length, 1, 'one gave_up event for two ticks');
  t.equal(historyOf(box, 'doomed').filter((e) => e.event === 'gave_up').length, 1);
});

t.test('dispatch-watch --follow --changes: no replay of what finished before, only what changes', async (t) => {
  const box = sandbox(t);
  t.equal((await runBin('dispatch', ['old', '--prompt', 'x', '--worker', 'demo', '--wait'], { cwd: box.repo, env: box.env })).code, 0);
  const { startBin } = await import('../fixtures/e2e.js');
  const watch = startBin('dispatch-watch', ['--follow', '--changes', '--json'], { cwd: box.repo, env: box.env });
  t.teardown(() => watch.child.kill('SIGKILL'));
  // It says nothing until something changes: it is watching once it reports a change we
  // make (a status rewritten until it does). A new dispatch after that is news.
  const probe = () => putStatus(box.stateDir, runStatus('probe', { state: 'exited', outcome: 'ok', exit_code: 0, reason: `probe ${Date.now()}` }));
  await waitFor(() => (probe(), watch.lines.some((r) => r.slug === 'probe')), 'the watch reports changes');
  t.equal((await runBin('dispatch', ['new', '--prompt', 'x', '--worker', 'demo', '--wait'], { cwd: box.repo, env: box.env })).code, 0);
  await waitFor(() => watch.lines.some((r) => r.slug === 'new' && r.done), 'the new task ended, and was told');
  t.notOk(watch.lines.some((r) => r.slug === 'old'), 'the task that ended before was not replayed');
  const usage = await runBin('dispatch-watch', ['--changes'], { cwd: box.repo, env: box.env });
  t.equal(usage.code, 2, '--changes without --follow is a usage error');
});

t.test('worker-reap --prune removes merged, finished worktrees and branches, and nothing else; --archive moves old state away', async (t) => {
  const box = sandbox(t);
  const { execFileSync } = await import('node:child_process');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: box.repo, env: box.env, encoding: 'utf8' }).trim();
  // merged: its demo commit is merged into main; unmerged: left as it is; live: still running.
  for (const slug of ['merged', 'unmerged']) t.equal((await runBin('dispatch', [slug, '--prompt', 'x', '--worker', 'demo', '--wait'], { cwd: box.repo, env: box.env })).code, 0);
  git('merge', '-q', '--no-edit', 'task/merged');
  t.equal((await runBin('dispatch', ['live', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '60')], { cwd: box.repo, env: box.env })).code, 0);
  const dry = await runBin('worker-reap', ['--prune', '--dry-run'], { cwd: box.repo, env: box.env });
  t.equal(dry.code, 0, dry.stderr);
  const byslug = (r: { records: Record<string, any>[] }) => Object.fromEntries(r.records.filter((x) => x.type === 'prune').map((x) => [x.slug, x]));
  t.match(byslug(dry), { merged: { action: 'would_remove', base: 'main' }, unmerged: { action: 'skipped', reason: /not merged into main/ }, live: { action: 'skipped', reason: /never pruned/ } });
  t.ok(fs.existsSync(path.join(box.worktreesDir, 'merged')), '--dry-run removed nothing');
  const real = await runBin('worker-reap', ['--prune'], { cwd: box.repo, env: box.env });
  t.equal(real.code, 0, real.stderr);
  t.match(byslug(real).merged, { action: 'removed' });
  t.notOk(fs.existsSync(path.join(box.worktreesDir, 'merged')), 'the merged worktree is gone');
  t.equal(git('branch', '--list', 'task/merged'), '', 'and its branch');
  t.ok(fs.existsSync(path.join(box.worktreesDir, 'unmerged')), 'the unmerged one stays');
  t.ok(fs.existsSync(path.join(box.worktreesDir, 'live')), 'the live one stays');
  // --archive 0: everything finished goes to archive/, the live task stays.
  const archived = await runBin('worker-reap', ['--archive', '0'], { cwd: box.repo, env: box.env });
  t.equal(archived.code, 0, archived.stderr);
  t.ok(fs.existsSync(path.join(box.stateDir, 'archive', 'dispatch-unmerged.status.json')), 'archived');
  t.ok(fs.existsSync(path.join(box.stateDir, 'archive', 'dispatch-unmerged.history.jsonl')), 'with its history');
  t.notOk(fs.existsSync(path.join(box.stateDir, 'dispatch-unmerged.status.json')));
  t.ok(fs.existsSync(path.join(box.stateDir, 'dispatch-live.status.json')), 'a live task is never archived');
  const usage = await runBin('worker-reap', ['--base', 'main'], { cwd: box.repo, env: box.env });
  t.equal(usage.code, 2, '--base without --prune');
});

t.test('hb-tick --every on a terminal: a time stamp per tick, and the lines of a tick line up', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'a', 'status: blocked');
  writeTask(box, 'a-much-longer-task-name', 'status: blocked');
  const { spawn } = await import('node:child_process');
  const { binPath, nodeCommand } = await import('../fixtures/e2e.js');
  const child = spawn('script', ['-qfc', `${nodeCommand(binPath('hb-tick'))} --every 0.3 --dry-run`, '/dev/null'], { cwd: box.repo, env: box.env });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await waitFor(() => (out.match(/— tick at \d{4}-\d\d-\d\dT[^ ]+Z —/g) ?? []).length >= 2, 'two ticks, each with its time stamp');
  const lines = out.split(/\r?\n/).filter((l) => l.startsWith('not_ready'));
  const column = (l: string) => l.indexOf('task status is blocked');
  t.ok(lines.length >= 2);
  t.equal(new Set(lines.map(column)).size, 1, 'the reasons start in one column whatever the task name');
});
