import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runTool } from '../fixtures/in-process.js';
import { chainOver, killSupervisor, nodeWorker, pidAlive, ROOT, runBin, sandbox, startBin, statusOf, treeSnapshot, waitFor, withoutTapHooks, writeTask } from '../fixtures/e2e.js';

const tick = (box: { repo: string; env: Record<string, string> }, args: string[], env: Record<string, string> = {}, input?: string) =>
  runBin('hb-tick', args, { cwd: box.repo, env: { ...box.env, ...env }, input });
/** A dry run in this process: planning reads task and status files, and starts nothing. */
const plan = (box: { repo: string; env: Record<string, string> }, args: string[], input?: string) => runTool('hb-tick', ['--dry-run', ...args], { cwd: box.repo, env: box.env, input });
const byType = (records: Record<string, any>[], type: string) => records.filter((r) => r.type === type);
const classes = (records: Record<string, any>[]) => Object.fromEntries(byType(records, 'task').map((r) => [r.slug, r.class]));

t.test('classification, priorities, depends_on, invalid files, and --dry-run changing nothing', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'low', 'status: ready\npriority: p3');
  writeTask(box, 'urgent', 'status: ready\npriority: p0');
  writeTask(box, 'mid', 'status: ready\npriority: p1');
  writeTask(box, 'later', 'status: blocked\npriority: p0');
  writeTask(box, 'after', 'status: ready\npriority: p0\ndepends_on: [mid]');
  writeTask(box, 'typo', 'status: ready\ndepends_on: [no-such-task]');
  writeTask(box, 'broken', 'status: [ready\npriority: p1');
  writeTask(box, 'badprio', 'status: ready\npriority: urgent');
  fs.writeFileSync(path.join(box.repo, 'tasks', 'nofront.md'), '# just text\n');
  const before = treeSnapshot(box.stateDir);
  const r = await plan(box, ['--max-dispatches-per-cycle', '2']);
  t.equal(r.code, 4, 'invalid task files are bad input');
  t.same(classes(r.records), {
    after: 'waiting',
    badprio: 'invalid',
    broken: 'invalid',
    later: 'not_ready',
    low: 'dispatchable',
    mid: 'dispatchable',
    typo: 'invalid',
    urgent: 'dispatchable',
  });
  const invalid = byType(r.records, 'task').filter((x) => x.class === 'invalid');
  t.match(invalid.find((x) => x.slug === 'broken'), { source: /broken\.md$/, reason: /not valid YAML/ });
  t.match(invalid.find((x) => x.slug === 'badprio'), { reason: /priority/ });
  t.match(invalid.find((x) => x.slug === 'typo'), { reason: /unknown task: no-such-task/ });
  t.match(r.stderr, /hb-tick: .*broken\.md: front matter is not valid YAML/);
  t.same(byType(r.records, 'action').map((a) => [a.slug, a.result]), [['urgent', 'planned'], ['mid', 'planned']], 'p0 first, at most 2');
  t.match(r.records.at(-1), { type: 'snapshot', dry_run: true, counts: { dispatchable: 3, invalid: 3, waiting: 1, not_ready: 1 } });
  t.match(byType(r.records, 'note'), [{ code: 'not_a_task', source: /nofront\.md$/ }], 'a file without front matter is not a task, and not an error');
  t.equal(treeSnapshot(box.stateDir), before, 'dry run changed nothing');
});

t.test('max-dispatches-per-cycle is respected, and a run that ended ok is done', async (t) => {
  const box = sandbox(t);
  for (const slug of ['a', 'b', 'c', 'd']) writeTask(box, slug, 'status: ready');
  // Each run lasts until the test says go: "active" must not depend on how fast a tick is.
  const go = path.join(path.dirname(box.repo), 'GO');
  const env = { TASK_MANAGER_WORKER_CMD: `sh -c 'while [ ! -e ${go} ]; do sleep 0.05; done' --` };
  const first = await tick(box, [], { ...env, TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: '2' });
  t.equal(first.code, 0, first.stderr);
  t.equal(byType(first.records, 'action').filter((a) => a.result === 'started').length, 2, 'env cap 2');
  const second = await tick(box, ['--max-dispatches-per-cycle', '1'], { ...env, TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: '5' });
  t.equal(byType(second.records, 'action').length, 1, 'the flag wins over the environment');
  t.equal(Object.values(classes(second.records)).filter((c) => c === 'active').length, 2);
  const hb = JSON.parse(fs.readFileSync(path.join(box.stateDir, 'heartbeat.json'), 'utf8'));
  t.match(hb, { type: 'snapshot', dispatched: 1, max_dispatches_per_cycle: 1 });
  fs.writeFileSync(go, '');
  for (const slug of ['a', 'b', 'c']) await waitFor(() => chainOver(box, slug), `${slug} over`);
  const third = await tick(box, ['--dry-run']);
  t.match(classes(third.records), { a: 'done', b: 'done', c: 'done', d: 'dispatchable' });
});

t.test('an overlapping tick dispatches nothing while another tick holds the tick lock', async (t) => {
  const box = sandbox(t);
  // git runs post-checkout when the worktree is added: each start waits for the gate, so
  // the first tick surely still holds its lock when the second one comes, however loaded the machine.
  const gate = path.join(path.dirname(box.repo), 'gate');
  fs.writeFileSync(path.join(box.repo, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\n`, { mode: 0o755 });
  for (const slug of ['h1', 'h2']) writeTask(box, slug, 'status: ready');
  const env = { TASK_MANAGER_WORKER_CMD: 'true' };
  const first = startBin('hb-tick', ['--max-dispatches-per-cycle', '2', '--timeout', '120'], { cwd: box.repo, env: { ...box.env, ...env } });
  t.teardown(() => first.child.kill('SIGKILL'));
  await waitFor(() => fs.existsSync(path.join(box.stateDir, 'heartbeat.lock')), 'first tick holds the tick lock');
  const overlapping = await tick(box, ['--max-dispatches-per-cycle', '2'], env);
  t.match(overlapping.records.at(-1), { type: 'snapshot', skipped: 'another tick is running', dispatched: 0 });
  t.equal(byType(overlapping.records, 'action').length, 0);
  fs.writeFileSync(gate, '');
  t.equal(await first.exited, 0, first.stderr());
  t.same(byType(first.lines, 'action').map((a) => [a.slug, a.result]), [['h1', 'started'], ['h2', 'started']], 'the first tick did its work once the starts could go on');
});

t.test('a hung dispatch does not wedge the tick: each start is cut off at --timeout, and the tick ends', async (t) => {
  const box = sandbox(t);
  // A post-checkout hook that never returns hangs the start for good.
  const gate = path.join(path.dirname(box.repo), 'never');
  fs.writeFileSync(path.join(box.repo, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\n`, { mode: 0o755 });
  for (const slug of ['h1', 'h2']) writeTask(box, slug, 'status: ready');
  const r = await tick(box, ['--max-dispatches-per-cycle', '2', '--timeout', '1'], { TASK_MANAGER_WORKER_CMD: 'true' });
  t.equal(r.code, 0, r.stderr);
  const actions = byType(r.records, 'action');
  t.same(actions.map((a) => a.result), ['timeout', 'timeout'], 'each hung start was cut off at the timeout');
  t.ok(actions.every((a) => a.duration_ms < 15_000), `cut off in time (${actions.map((a) => a.duration_ms).join(', ')} ms)`);
  const snapshot = r.records.at(-1) as Record<string, any>;
  t.match(snapshot, { type: 'snapshot', dispatched: 2 });
  t.ok(snapshot.duration_ms < 30_000, `the tick ended (${snapshot.duration_ms} ms) while the starts still hang`);
  const hb = JSON.parse(fs.readFileSync(path.join(box.stateDir, 'heartbeat.json'), 'utf8'));
  t.equal(hb.finished_at, snapshot.finished_at, 'heartbeat.json is fresh');
});

// The cooldown's arithmetic, its growth and its monotonic clock are unit-tested
// (tests/core/classify.test.ts); these are the same rules through real runs and real ticks.
t.test('a failed run waits out its cooldown (~300 s by default), even with the clock moved an hour either way', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'flaky', 'status: ready');
  const env = { TASK_MANAGER_WORKER_CMD: 'false' };
  const first = await tick(box, [], env);
  t.match(byType(first.records, 'action'), [{ slug: 'flaky', result: 'started' }]);
  await waitFor(() => chainOver(box, 'flaky'), 'flaky failed');
  const blocked = await tick(box, [], env);
  const row = byType(blocked.records, 'task')[0];
  t.match(row, { slug: 'flaky', class: 'cooldown' });
  t.ok(Date.parse(row.until) > Date.now() + 200_000, 'default cooldown ~300 s');
  t.equal(byType(blocked.records, 'action').length, 0, 'no immediate re-dispatch');
  // The clock jumps an hour either way: the cooldown does not end early.
  for (const offset of ['3600', '-3600']) {
    const jumped = await tick(box, ['--dry-run'], { TASK_MANAGER_CLOCK_OFFSET_SECONDS: offset });
    t.equal(byType(jumped.records, 'task')[0].class, 'cooldown', `clock moved ${offset} s`);
  }
});

t.test('after a short cooldown the task is retried; max attempts failures in a row: gave_up; --clear lifts it', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'flaky', 'status: ready');
  const fast = { TASK_MANAGER_WORKER_CMD: 'false', TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '0.2', TASK_MANAGER_MAX_ATTEMPTS: '2' };
  t.match(byType((await tick(box, [], fast)).records, 'action'), [{ slug: 'flaky', result: 'started' }]);
  await waitFor(() => chainOver(box, 'flaky'), 'first failure');
  const retried = await waitFor(async () => {
    const r = await tick(box, [], fast);
    return byType(r.records, 'action').length ? r : undefined;
  }, 'retry after the cooldown');
  t.match(byType(retried.records, 'action'), [{ slug: 'flaky', result: 'started' }]);
  await waitFor(() => chainOver(box, 'flaky') && statusOf(box, 'flaky').failures === 2, 'second failure');
  const gaveUp = await tick(box, [], fast);
  t.match(byType(gaveUp.records, 'task')[0], { class: 'gave_up', reason: /hb-tick --clear flaky/ });
  t.equal(byType(gaveUp.records, 'action').length, 0, 'not dispatched again');
  const cleared = await tick(box, ['--clear', 'flaky'], fast);
  t.match(cleared.records[0], { type: 'cleared', slug: 'flaky', failures_before: 2 });
  t.equal(statusOf(box, 'flaky').failures, 0, 'the count starts over');
  const after = await tick(box, ['--dry-run'], fast);
  t.equal(byType(after.records, 'task')[0].class, 'dispatchable');
});

t.test('a dead running worker becomes worker_gone in the tick\'s reap, waits its cooldown, then is retried', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'victim', 'status: ready\npriority: p0');
  // A quiet worker: its supervisor never holds the lock to note output when it is killed.
  const v = await tick(box, [], { TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '30'), SLEEPER_QUIET: '1' });
  t.match(byType(v.records, 'action'), [{ slug: 'victim', result: 'started' }]);
  const s = await killSupervisor(box, 'victim', { worker: true });
  await waitFor(() => !pidAlive(s.worker.pid), 'victim dead');
  const reaped = await tick(box, ['--max-dispatches-per-cycle', '0']);
  t.match(byType(reaped.records, 'reap'), [{ slug: 'victim', to: 'worker_gone' }]);
  t.match(byType(reaped.records, 'task').find((x) => x.slug === 'victim'), { class: 'cooldown' });
  const retry = await waitFor(async () => {
    const r = await tick(box, ['--dry-run'], { TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '0.2' });
    const victim = byType(r.records, 'task').find((x) => x.slug === 'victim');
    return victim?.class === 'dispatchable' ? victim : undefined;
  }, 'victim retryable after the cooldown');
  t.match(retry, { class: 'dispatchable', reason: 'retry after worker_gone' }, 'retried because its worker was gone');
});

t.test('task records from stdin, and the legacy entry points with their old flags', async (t) => {
  const box = sandbox(t);
  const input = ['{"slug":"r1","status":"ready","priority":"p1"}', 'garbage', '{"slug":"../x","status":"ready"}', '{"slug":"r2","status":"blocked"}'].join('\n') + '\n';
  const r = await plan(box, ['-'], input);
  t.equal(r.code, 4);
  t.match(byType(r.records, 'error'), [{ code: 'invalid_record', source: 'stdin:2' }]);
  t.match(classes(r.records), { r1: 'dispatchable', r2: 'not_ready' });
  t.match(byType(r.records, 'task').find((x) => x.source === 'stdin:3'), { class: 'invalid', reason: /slug/ });

  writeTask(box, 'legacy', 'status: ready');
  const heartbeat = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(...withoutTapHooks(path.join(ROOT, 'scripts', 'task-manager-heartbeat'), ['--max-dispatches-per-cycle', '1']), {
      cwd: box.repo,
      env: { ...box.env, TASK_MANAGER_WORKER_CMD: 'true', TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS: '30' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
  t.equal(heartbeat.code, 0);
  t.match(heartbeat.out, /"type":"action","action":"dispatch","slug":"legacy","result":"started"/);
  const watchOld = await new Promise<string>((resolve) => {
    const child = spawn(...withoutTapHooks(path.join(ROOT, 'scripts', 'dispatch-watch'), ['legacy']), { cwd: box.repo, env: box.env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
  t.match(watchOld, /"slug":"legacy"/);
  const loop = spawn(...withoutTapHooks(path.join(ROOT, 'scripts', 'task-manager-run'), ['--interval', '1']), { cwd: box.repo, env: { ...box.env, TASK_MANAGER_WORKER_CMD: 'true' } });
  let loopOut = '';
  loop.stdout.on('data', (d) => (loopOut += d));
  const loopExit = new Promise<number | null>((resolve) => loop.on('close', resolve));
  await waitFor(() => (loopOut.match(/"type":"snapshot"/g) ?? []).length >= 2, 'two cycles of the loop');
  loop.kill('SIGTERM');
  t.equal(await loopExit, 0, 'the loop stops cleanly on SIGTERM');
});
