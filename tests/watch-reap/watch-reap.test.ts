import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { bootIdNow, historyOf, nodeWorker, pidAlive, runBin, sandbox, startBin, startTimeOf, statusOf, waitFor } from '../fixtures/e2e.js';

const statusFile = (stateDir: string, slug: string) => path.join(stateDir, `dispatch-${slug}.status.json`);

t.test('a dead running worker becomes worker_gone', async (t) => {
  const box = sandbox(t);
  const d = await runBin('dispatch', ['dead', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  const s = statusOf(box, 'dead');
  process.kill(s.owner.pid, 'SIGKILL');
  process.kill(-s.worker.pid, 'SIGKILL');
  await waitFor(() => !pidAlive(s.owner.pid) && !pidAlive(s.worker.pid), 'both dead');
  const watch = await runBin('dispatch-watch', ['dead'], { cwd: box.repo, env: box.env });
  t.match(watch.records[0], { type: 'status', slug: 'dead', state: 'running', dispatch_state: 'worker_gone' });
  const reap = await runBin('worker-reap', [], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  t.match(reap.records, [{ type: 'reap', slug: 'dead', action: 'marked_worker_gone', from: 'running', to: 'worker_gone' }]);
  t.match(statusOf(box, 'dead'), { state: 'worker_gone', outcome: 'worker_gone', failures: 1 });
  t.ok(statusOf(box, 'dead').ended_mono, 'the cooldown clock starts here');
  t.match(historyOf(box, 'dead').at(-1), { event: 'reaped', from: 'running', to: 'worker_gone', by: 'worker-reap' });
  const again = await runBin('worker-reap', [], { cwd: box.repo, env: box.env });
  t.same(again.records, [], 'nothing more to reap');
});

t.test('a reused pid or another boot id never passes for alive, and is never signalled', async (t) => {
  const box = sandbox(t);
  // Dispatch and finish a run so a real status exists; then make it claim a run whose
  // recorded identities point at an unrelated live process.
  const d = await runBin('dispatch', ['reuse', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  t.teardown(() => bystander.kill('SIGKILL'));
  const pid = bystander.pid as number;
  const real = { boot_id: bootIdNow(), pid, start_time: startTimeOf(pid) };
  const write = (owner: object, worker: object) => {
    const s = statusOf(box, 'reuse');
    fs.writeFileSync(statusFile(box.stateDir, 'reuse'), JSON.stringify({ ...s, state: 'running', owner, worker, token: 'not-the-bystanders' }));
  };
  // Same pid, another start time: a reused pid.
  write({ ...real, start_time: String(Number(real.start_time) - 7) }, { ...real, start_time: String(Number(real.start_time) - 5) });
  let watch = await runBin('dispatch-watch', ['reuse'], { cwd: box.repo, env: box.env });
  t.equal(watch.records[0].dispatch_state, 'worker_gone', 'reused pid is dead');
  let reap = await runBin('worker-reap', ['--kill-orphans', 'reuse'], { cwd: box.repo, env: box.env });
  t.match(reap.records, [{ action: 'marked_worker_gone' }]);
  t.ok(pidAlive(pid), 'the process that reuses the pid was not signalled');
  // Same pid and start time, another boot: a reboot.
  write({ ...real, boot_id: '00000000-0000-0000-0000-000000000000' }, { ...real, boot_id: '00000000-0000-0000-0000-000000000000' });
  watch = await runBin('dispatch-watch', ['reuse'], { cwd: box.repo, env: box.env });
  t.equal(watch.records[0].dispatch_state, 'worker_gone', 'another boot is dead');
  reap = await runBin('worker-reap', ['--kill-orphans', 'reuse'], { cwd: box.repo, env: box.env });
  t.match(reap.records, [{ action: 'marked_worker_gone' }]);
  t.ok(pidAlive(pid), 'still not signalled');
});

t.test('an orphan is refused, reported, then killed with --kill-orphans (grandchild too)', async (t) => {
  const box = sandbox(t);
  const pids = path.join(path.dirname(box.repo), 'hostile.pids');
  const env = { ...box.env, HOSTILE_PIDS: pids };
  const d = await runBin('dispatch', ['orph', '--prompt', 'x', '--worker-cmd', nodeWorker('hostile.mjs')], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const { worker, grandchild } = await waitFor(() => fs.existsSync(pids) && JSON.parse(fs.readFileSync(pids, 'utf8')), 'pids');
  process.kill(statusOf(box, 'orph').owner.pid, 'SIGKILL');
  await waitFor(async () => (await runBin('dispatch-watch', ['orph'], { cwd: box.repo, env })).records[0]?.dispatch_state === 'orphaned', 'orphaned');
  const refused = await runBin('dispatch', ['orph', '--prompt', 'y', '--worker-cmd', 'true'], { cwd: box.repo, env });
  t.equal(refused.code, 3);
  const report = await runBin('worker-reap', [], { cwd: box.repo, env });
  t.match(report.records, [{ slug: 'orph', action: 'orphaned' }]);
  t.ok(pidAlive(worker), 'left alone without --kill-orphans');
  const dry = await runBin('worker-reap', ['--kill-orphans', '--dry-run'], { cwd: box.repo, env });
  t.match(dry.records, [{ action: 'orphan_killed', dry_run: true }]);
  t.ok(pidAlive(worker), 'dry run kills nothing');
  const kill = await runBin('worker-reap', ['--kill-orphans', '--grace', '1'], { cwd: box.repo, env });
  t.equal(kill.code, 0, kill.stderr);
  t.match(kill.records, [{ slug: 'orph', action: 'orphan_killed', to: 'worker_gone' }]);
  t.notOk(pidAlive(worker), 'worker gone');
  t.notOk(pidAlive(grandchild), 'detached grandchild gone');
  t.match(statusOf(box, 'orph'), { state: 'worker_gone' });
  const again = await runBin('dispatch', ['orph', '--prompt', 'y', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env });
  t.equal(again.code, 0, 'the task can be dispatched again');
});

t.test('a corrupt status among good ones; --dry-run changes nothing; --state; watch | reap; stale locks', async (t) => {
  const box = sandbox(t);
  for (const slug of ['good1', 'good2']) {
    const d = await runBin('dispatch', [slug, '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
    t.equal(d.code, 0, d.stderr);
  }
  const live = await runBin('dispatch', ['busy', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: box.env });
  t.equal(live.code, 0);
  fs.writeFileSync(statusFile(box.stateDir, 'broken'), '{"type":"status","slu');
  const watch = await runBin('dispatch-watch', [], { cwd: box.repo, env: box.env });
  t.equal(watch.code, 4);
  t.same(watch.records.map((r) => r.slug), ['broken', 'busy', 'good1', 'good2']);
  t.match(watch.records[0], { type: 'error', code: 'status_invalid_json', slug: 'broken' });
  t.match(watch.stderr, /dispatch-watch: broken: status file .* is not valid JSON/);
  const running = await runBin('dispatch-watch', ['--state', 'running'], { cwd: box.repo, env: box.env });
  t.same(running.records.filter((r) => r.type === 'status').map((r) => r.slug), ['busy']);
  const badState = await runBin('dispatch-watch', ['--state', 'runing'], { cwd: box.repo, env: box.env });
  t.equal(badState.code, 2);

  // Kill busy's supervisor and worker: the pipeline finds and reaps it.
  const s = statusOf(box, 'busy');
  process.kill(s.owner.pid, 'SIGKILL');
  process.kill(-s.worker.pid, 'SIGKILL');
  await waitFor(() => !pidAlive(s.worker.pid), 'busy dead');
  // A lock directory left by a dead holder, 20 s old.
  const lock = path.join(box.stateDir, 'dispatch-good1.lock');
  fs.mkdirSync(lock);
  const old = new Date(Date.now() - 20_000);
  fs.utimesSync(lock, old, old);

  const snapshot = () => fs.readdirSync(box.stateDir).sort().map((n) => [n, fs.statSync(path.join(box.stateDir, n)).isFile() ? fs.readFileSync(path.join(box.stateDir, n), 'utf8') : 'dir']);
  const before = snapshot();
  const dry = await runBin('worker-reap', ['--dry-run'], { cwd: box.repo, env: box.env });
  t.equal(dry.code, 4, 'the corrupt status is bad input');
  t.match(dry.records.find((r) => r.slug === 'busy'), { action: 'marked_worker_gone', dry_run: true });
  t.match(dry.records.find((r) => r.slug === 'good1'), { action: 'stale_lock_removed', dry_run: true });
  t.same(snapshot(), before, 'dry run: state dir byte-identical');

  const pipeline = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const sh = spawn('sh', ['-c', `node ${JSON.stringify(path.resolve('tools/dispatch-watch/dist/bin.js'))} --state worker_gone | node ${JSON.stringify(path.resolve('tools/worker-reap/dist/bin.js'))} -`], {
      cwd: box.repo,
      env: box.env,
    });
    let out = '';
    sh.stdout.on('data', (d) => (out += d));
    sh.on('close', (code) => resolve({ code, out }));
  });
  t.equal(pipeline.code, 4, "watch passes the broken slug's error record on, and reap reports it again");
  t.match(pipeline.out, /"slug":"busy","action":"marked_worker_gone"/);
  t.equal(statusOf(box, 'busy').state, 'worker_gone');
  const reap = await runBin('worker-reap', ['good1'], { cwd: box.repo, env: box.env });
  t.match(reap.records, [{ action: 'stale_lock_removed' }]);
  t.notOk(fs.existsSync(lock), 'stale lock removed');
  const badInput = await runBin('worker-reap', ['-'], { cwd: box.repo, env: box.env, input: '{"slug":"../etc"}\nnope\n{"slug":"good2"}\n' });
  t.equal(badInput.code, 4);
  t.equal(badInput.records.filter((r) => r.type === 'error').length, 2);
});

t.test('--follow reports a change promptly; --until-done exits when all are done; --log --follow streams', async (t) => {
  const box = sandbox(t);
  const d = await runBin('dispatch', ['w1', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '3')], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  const follow = startBin('dispatch-watch', ['--follow'], { cwd: box.repo, env: box.env });
  t.teardown(() => follow.child.kill('SIGKILL'));
  const logs = startBin('dispatch-watch', ['--log', 'w1', '--follow'], { cwd: box.repo, env: box.env });
  t.teardown(() => logs.child.kill('SIGKILL'));
  await waitFor(() => follow.lines.some((r) => r.slug === 'w1' && r.dispatch_state === 'running'), 'running record');
  const until = await runBin('dispatch-watch', ['--until-done'], { cwd: box.repo, env: box.env, timeoutMs: 30_000 });
  t.equal(until.code, 0, until.stderr);
  t.match(until.records.at(-1), { slug: 'w1', dispatch_state: 'exited', done: true });
  await waitFor(() => follow.lines.some((r) => r.slug === 'w1' && r.dispatch_state === 'exited'), 'exited record in follow');
  await waitFor(() => logs.lines.some((r) => r.type === 'log' && r.text === 'tick 2'), 'log lines streamed');
  follow.child.kill('SIGTERM');
  t.equal(await follow.exited, 0, 'SIGTERM ends a follow cleanly');

  const f = await runBin('dispatch', ['w2', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '1'), '--max-run-seconds', '30'], { cwd: box.repo, env: { ...box.env, SLEEPER_EXIT: '2' } });
  t.equal(f.code, 0);
  const failed = await runBin('dispatch-watch', ['w2', '--until-done'], { cwd: box.repo, env: box.env, timeoutMs: 30_000 });
  t.equal(failed.code, 5, 'a failed run makes --until-done exit 5');
});

t.test('on a terminal: a readable table, coloured unless NO_COLOR; NDJSON again with --json', async (t) => {
  const box = sandbox(t);
  const d = await runBin('dispatch', ['tty-task', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  // script(1) gives the bin a pseudo-terminal as stdout.
  const onTty = (env: Record<string, string>, args = '') =>
    new Promise<string>((resolve) => {
      const child = spawn('script', ['-qc', `node ${JSON.stringify(path.resolve('tools/dispatch-watch/dist/bin.js'))} ${args}`, '/dev/null'], { cwd: box.repo, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(out.replace(/\r/g, '')));
    });
  const { NO_COLOR: _inherited, ...withColour } = box.env;
  const coloured = await onTty(withColour);
  t.match(coloured, /^STATE\s+TASK\s+AGE\s+OUTPUT\s+FOLLOW-UPS\s+RUN\s+OUTCOME$/m);
  t.match(coloured, /\x1b\[2mexited\x1b\[0m\s+tty-task/, 'the state is coloured');
  const plain = await onTty({ ...box.env, NO_COLOR: '1' });
  t.match(plain, /^exited\s+tty-task\s/m);
  t.notMatch(plain, /\x1b\[/, 'NO_COLOR: no escape codes');
  const json = await onTty(box.env, '--json');
  t.match(JSON.parse(json.trim().split('\n')[0] as string), { type: 'status', slug: 'tty-task', dispatch_state: 'exited' });
});
