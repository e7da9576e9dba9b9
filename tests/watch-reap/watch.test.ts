// dispatch-watch end to end: snapshots, filters, follow, until-done, logs and the
// terminal table, against real processes and real status files.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { binPath, nodeArgv, nodeCommand, nodeWorker, runBin, sandbox, startBin, waitFor } from '../fixtures/e2e.js';
import { runTool } from '../fixtures/in-process.js';
import { killAndWait, putStatus, readStatusFile, runStatus, standIns, statusPath } from '../fixtures/watch-reap-util.js';

/** A state directory with a live run (stand-in processes), two ended ones and two damaged status files. */
const snapshotBox = (t: Parameters<typeof sandbox>[0]) => {
  const box = sandbox(t);
  const procs = standIns(t);
  const owner = procs.sleeper();
  const worker = procs.sleeper('tok-live');
  const followups = [{ id: 'f-1', prompt: 'next', mode: 'queue' as const, queued_at: '2026-01-01T00:00:00.000Z' }];
  putStatus(box.stateDir, runStatus('live', { owner, worker, token: 'tok-live', attempt: 2, failures: 1, session_id: 'sess-1', cost_usd: 0.25, followups }));
  putStatus(box.stateDir, runStatus('ok-run', { state: 'exited', outcome: 'ok', exit_code: 0, ended_at: '2026-01-01T00:01:00.000Z' }));
  putStatus(box.stateDir, runStatus('bad-run', { state: 'failed', outcome: 'error', exit_code: 3, reason: 'exit code 3' }));
  fs.writeFileSync(statusPath(box.stateDir, 'broken'), '{"type":"status","slu');
  fs.writeFileSync(statusPath(box.stateDir, 'shapeless'), '{"type":"status","version":1}\n');
  fs.writeFileSync(path.join(box.stateDir, 'dispatch-live.log'), 'not a status\n');
  fs.writeFileSync(path.join(box.stateDir, 'heartbeat.json'), '{}\n');
  return { box, owner, worker };
};

// The snapshots run in this process (runTool): reading status files needs no process of its own.
t.test('a snapshot: one record per dispatch, liveness-corrected, never the prompt; a damaged file is one error', async (t) => {
  const { box, owner, worker } = snapshotBox(t);
  const snap = await runTool('dispatch-watch', [], { cwd: box.repo, env: box.env });
  t.equal(snap.code, 4, 'damaged status files are bad input');
  t.same(snap.records.map((r) => [r.type, r.slug]), [['status', 'bad-run'], ['error', 'broken'], ['status', 'live'], ['status', 'ok-run'], ['error', 'shapeless']]);
  const live = snap.records.find((r) => r.slug === 'live')!;
  t.match(live, {
    type: 'status', dispatch_state: 'running', state: 'running', done: false, run_id: 'r-live', attempt: 2, failures: 1,
    supervisor_pid: owner.pid, worker_pid: worker.pid, session_id: 'sess-1', followups_pending: 1, cost_usd: 0.25, exit_code: null,
  });
  t.type(live.last_output_age_s, 'number');
  t.notMatch(snap.stdout, /secret prompt|"prompt"/, 'the prompt is never in a record');
  t.match(snap.records.find((r) => r.slug === 'broken'), { type: 'error', code: 'status_invalid_json' });
  t.match(snap.records.find((r) => r.slug === 'shapeless'), { type: 'error', code: 'status_wrong_shape' });
  t.match(snap.stderr, /^dispatch-watch: broken: status file .* is not valid JSON/m);
});

t.test('a dead supervisor: orphaned while the worker lives, worker_gone once both are dead, for slugs from stdin too', async (t) => {
  const { box, owner, worker } = snapshotBox(t);
  await killAndWait(owner.pid);
  const orphan = await runTool('dispatch-watch', ['live'], { cwd: box.repo, env: box.env });
  t.match(orphan.records, [{ slug: 'live', state: 'running', dispatch_state: 'orphaned', done: false }]);
  t.equal(orphan.code, 0);
  await killAndWait(worker.pid);
  const gone = await runTool('dispatch-watch', ['-'], { cwd: box.repo, env: box.env, input: '{"slug":"live","dispatch_state":"running"}\n' });
  t.match(gone.records, [{ slug: 'live', state: 'running', dispatch_state: 'worker_gone', done: true }]);
});

t.test('--state filters what the snapshot shows, never its errors; an unknown state is usage, a bad slug bad input', async (t) => {
  const { box, owner, worker } = snapshotBox(t);
  await killAndWait(owner.pid);
  await killAndWait(worker.pid);
  const filtered = await runTool('dispatch-watch', ['--state', 'failed,worker_gone'], { cwd: box.repo, env: box.env });
  t.same(filtered.records.map((r) => r.slug), ['bad-run', 'broken', 'live', 'shapeless'], 'errors are never filtered away');
  const badState = await runTool('dispatch-watch', ['--state', 'runing'], { cwd: box.repo, env: box.env });
  t.equal(badState.code, 2);
  t.match(badState.stderr, /unknown state "runing"/);
  const badSlug = await runTool('dispatch-watch', ['ok-run', '../x', 'missing'], { cwd: box.repo, env: box.env });
  t.equal(badSlug.code, 4);
  t.same(badSlug.records.map((r) => r.code ?? r.slug), ['invalid_slug', 'ok-run', 'status_missing']);
});

t.test('a closed reader (| head -1) ends a long snapshot quietly, with exit 0', async (t) => {
  const box = sandbox(t);
  const many = path.join(path.dirname(box.repo), 'many');
  fs.mkdirSync(many);
  for (let i = 0; i < 3000; i++) {
    const slug = `m-${String(i).padStart(4, '0')}`;
    fs.writeFileSync(statusPath(many, slug), JSON.stringify(runStatus(slug, { state: 'exited', outcome: 'ok', exit_code: 0 })));
  }
  const head = await new Promise<{ code: number | null; stderr: string; first: string }>((resolve) => {
    const child = spawn(...nodeArgv(binPath('dispatch-watch'), ['--state-dir', many]), { cwd: box.repo, env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', (d) => {
      first = String(d).split('\n')[0] as string;
      child.stdout.destroy();
    });
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
  t.match(JSON.parse(head.first), { slug: 'm-0000' });
  t.equal(head.code, 0);
  t.equal(head.stderr, '', 'no crash and no message on a closed pipe');
});


t.test('--follow: a record per change, deaths seen by the liveness tick; --until-done: 0 or 5', async (t) => {
  const box = sandbox(t);
  const procs = standIns(t);
  const ownerA = procs.sleeper();
  const ownerB = procs.sleeper();
  const workerB = procs.sleeper('tok-b');
  putStatus(box.stateDir, runStatus('fa', { owner: ownerA, worker: procs.sleeper('tok-a'), token: 'tok-a' }));
  putStatus(box.stateDir, runStatus('fb', { owner: ownerB, worker: workerB, token: 'tok-b' }));
  putStatus(box.stateDir, runStatus('fc', { state: 'exited', outcome: 'ok', exit_code: 0 }));

  const follow = startBin('dispatch-watch', ['--follow', '--interval', '0.2'], { cwd: box.repo, env: box.env });
  t.teardown(() => follow.child.kill('SIGKILL'));
  const untilOk = startBin('dispatch-watch', ['fa', '--until-done', '--interval', '0.2'], { cwd: box.repo, env: box.env });
  t.teardown(() => untilOk.child.kill('SIGKILL'));
  const untilAll = startBin('dispatch-watch', ['--until-done', '--state', 'running', '--interval', '0.2'], { cwd: box.repo, env: box.env });
  t.teardown(() => untilAll.child.kill('SIGKILL'));
  await waitFor(() => follow.lines.length >= 3 && untilOk.lines.length >= 1 && untilAll.lines.length >= 2, 'the first records');
  t.same(follow.lines.map((r) => [r.slug, r.dispatch_state]), [['fa', 'running'], ['fb', 'running'], ['fc', 'exited']]);
  t.same(untilAll.lines.map((r) => r.slug), ['fa', 'fb'], '--until-done --state running watches what runs now');

  // A file change: fa's run ends ok and its supervisor leaves.
  putStatus(box.stateDir, { ...readStatusFile(box.stateDir, 'fa'), state: 'exited', outcome: 'ok', exit_code: 0, reason: 'finished' });
  const ended = await waitFor(() => follow.lines.find((r) => r.slug === 'fa' && r.dispatch_state === 'exited'), 'the exited record');
  t.equal(ended.done, false, 'not done while its supervisor may still take a follow-up');
  t.equal(untilOk.child.exitCode, null, '--until-done still waits');
  await killAndWait(ownerA.pid);
  await waitFor(() => follow.lines.some((r) => r.slug === 'fa' && r.done), 'done once the supervisor is gone');
  t.equal(await untilOk.exited, 0, '--until-done: exit 0 when the watched run ended ok');
  t.match(untilOk.lines.at(-1), { slug: 'fa', dispatch_state: 'exited', done: true });

  // No file change at all: fb's supervisor and worker die; the liveness tick notices.
  await killAndWait(ownerB.pid);
  await killAndWait(workerB.pid);
  await waitFor(() => follow.lines.some((r) => r.slug === 'fb' && r.dispatch_state === 'worker_gone'), 'the death of fb');
  t.equal(await untilAll.exited, 5, '--until-done: exit 5 when a watched run did not end ok');
  t.match(untilAll.lines.at(-1), { slug: 'fb', dispatch_state: 'worker_gone' });

  // A new dispatch appears while following.
  putStatus(box.stateDir, runStatus('fd', { state: 'failed', outcome: 'error', exit_code: 1 }));
  await waitFor(() => follow.lines.some((r) => r.slug === 'fd'), 'the new dispatch');
  const count = follow.lines.length;
  follow.child.kill('SIGTERM');
  t.equal(await follow.exited, 0, 'SIGTERM ends a follow cleanly');
  t.equal(follow.lines.filter((r) => r.slug === 'fc').length, 1, 'an unchanged dispatch is reported once');
  t.equal(follow.lines.length, count);
});

t.test('a real dispatch followed to the end; --log streams its output and appended lines', async (t) => {
  const box = sandbox(t);
  const d = await runBin('dispatch', ['w1', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '2')], { cwd: box.repo, env: box.env });
  t.equal(d.code, 0, d.stderr);
  const logs = startBin('dispatch-watch', ['--log', 'w1', '--until-done'], { cwd: box.repo, env: box.env });
  t.teardown(() => logs.child.kill('SIGKILL'));
  const until = await runBin('dispatch-watch', ['w1', '--until-done', '--interval', '0.5'], { cwd: box.repo, env: box.env, timeoutMs: 30_000 });
  t.equal(until.code, 0, until.stderr);
  t.match(until.records.at(-1), { slug: 'w1', dispatch_state: 'exited', done: true });
  t.equal(await logs.exited, 0, '--log --until-done ends with the dispatch');
  t.ok(logs.lines.some((r) => r.type === 'log' && r.slug === 'w1' && r.text === 'tick 2'), 'the worker output, as log records');

  const f = await runBin('dispatch', ['w2', '--prompt', 'x', '--worker-cmd', "sh -c 'exit 2' sh"], { cwd: box.repo, env: box.env });
  t.equal(f.code, 0, f.stderr);
  const failed = await runBin('dispatch-watch', ['w2', '--until-done'], { cwd: box.repo, env: box.env, timeoutMs: 30_000 });
  t.equal(failed.code, 5, 'a failed run makes --until-done exit 5');

  // Lines appended to a log while following arrive as they are written, a partial
  // line once it is finished.
  const log = path.join(box.stateDir, 'dispatch-w1.log');
  const tail = startBin('dispatch-watch', ['--log', 'w1', '--follow'], { cwd: box.repo, env: box.env });
  t.teardown(() => tail.child.kill('SIGKILL'));
  await waitFor(() => tail.lines.some((r) => r.text === 'tick 2'), 'the existing log');
  fs.appendFileSync(log, 'appended one\nappended t');
  await waitFor(() => tail.lines.some((r) => r.text === 'appended one'), 'an appended line');
  fs.appendFileSync(log, 'wo, ünïcode\n');
  await waitFor(() => tail.lines.some((r) => r.text === 'appended two, ünïcode'), 'the finished partial line');
  tail.child.kill('SIGTERM');
  t.equal(await tail.exited, 0);
  const whole = await runTool('dispatch-watch', ['--log', 'w1'], { cwd: box.repo, env: box.env });
  t.equal(whole.code, 0);
  t.match(whole.records.at(-1), { type: 'log', slug: 'w1', text: 'appended two, ünïcode' });
  const none = await runTool('dispatch-watch', ['--log', 'never'], { cwd: box.repo, env: box.env });
  t.equal(none.code, 4);
  t.match(none.records, [{ type: 'error', code: 'log_missing' }]);
});

t.test('on a terminal: a readable table, coloured unless NO_COLOR; NDJSON again with --json', async (t) => {
  const box = sandbox(t);
  putStatus(box.stateDir, runStatus('tty-task', { state: 'exited', outcome: 'ok', exit_code: 0, followups: [] }));
  putStatus(box.stateDir, runStatus('tty-fail', { state: 'failed', outcome: 'error', exit_code: 1, reason: 'exit code 1' }));
  // script(1) gives the bin a pseudo-terminal as its stdout.
  const onTty = (env: Record<string, string>, args = '') =>
    new Promise<string>((resolve) => {
      const child = spawn('script', ['-qc', `${nodeCommand(binPath('dispatch-watch'))} ${args}`, '/dev/null'], { cwd: box.repo, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(out.replace(/\r/g, '')));
    });
  const { NO_COLOR: _inherited, ...withColour } = box.env;
  const coloured = await onTty(withColour);
  t.match(coloured, /^STATE\s+TASK\s+WORKER\s+RUN TIME\s+OUTPUT\s+COST\s+QUEUED\s+RUN\s+LAST$/m);
  t.ok(coloured.indexOf('tty-fail') < coloured.indexOf('tty-task'), 'trouble before what is done');
  t.match(coloured, /^running 0 · failed 1 · cost today \$0\.00$/m, 'a totals line');
  t.match(coloured, /\x1b\[2mexited\x1b\[0m\s+tty-task/, 'the state is coloured');
  t.match(coloured, /\x1b\[31mfailed\x1b\[0m\s+tty-fail .*exit code 1/);
  const plain = await onTty({ ...box.env, NO_COLOR: '1' });
  t.match(plain, /^exited\s+tty-task\s/m);
  t.notMatch(plain, /\x1b\[/, 'NO_COLOR: no escape codes');
  const json = await onTty(box.env, '--json');
  t.match(JSON.parse(json.trim().split('\n')[0] as string), { type: 'status', slug: 'tty-fail', dispatch_state: 'failed' });
  const log = path.join(box.stateDir, 'dispatch-tty-task.log');
  fs.writeFileSync(log, 'plain output line\n');
  const raw = await onTty({ ...box.env, NO_COLOR: '1' }, '--log tty-task');
  t.match(raw, /^plain output line$/m, 'a log is raw text on a terminal');

  // Under --follow the table is redrawn in place (cursor home, not a scrolling log).
  const procs = standIns(t);
  const owner = procs.sleeper();
  putStatus(box.stateDir, runStatus('tty-live', { owner, worker: procs.sleeper('tok-tty'), token: 'tok-tty' }));
  let screen = '';
  const child = spawn('script', ['-qc', `${nodeCommand(binPath('dispatch-watch'))} tty-live --until-done --interval 0.2`, '/dev/null'], {
    cwd: box.repo,
    env: { ...box.env, NO_COLOR: '1' },
  });
  t.teardown(() => child.kill('SIGKILL'));
  child.stdout.on('data', (d) => (screen += d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  await waitFor(() => /running\s+tty-live/.test(screen), 'the first frame');
  putStatus(box.stateDir, { ...readStatusFile(box.stateDir, 'tty-live'), state: 'exited', outcome: 'ok', exit_code: 0 });
  await killAndWait(owner.pid);
  await closed;
  const frames = screen.split('\x1b[H').slice(1);
  t.ok(frames.length >= 2, 'redrawn from the top of the screen');
  t.match(frames.at(-1), /^STATE .*\n\s*exited\s+tty-live/s, 'the last frame shows the end');
});
