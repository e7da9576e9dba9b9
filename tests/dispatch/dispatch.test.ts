import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { devBinPath, firstRecordOf, historyOf, killSupervisor, nodeArgv, nodeWorker, parseRecords, pidAlive, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

t.test('dispatch returns while the worker runs; the worker outlives the dispatcher', async (t) => {
  const box = sandbox(t);
  const log = path.join(box.repo, '..', 'sleeper.log');
  const r = await runBin('dispatch', ['alpha', '--prompt', 'do it', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], {
    cwd: box.repo,
    env: { ...box.env, SLEEPER_LOG: log },
  });
  t.equal(r.code, 0, r.stderr);
  const [record] = r.records;
  t.match(record, { type: 'dispatch', slug: 'alpha', result: 'started', state: 'running', worker: 'command', branch: 'task/alpha' });
  const status = statusOf(box, 'alpha');
  t.equal(status.state, 'running');
  t.ok(pidAlive(status.worker.pid), 'worker alive after dispatch exited');
  t.ok(pidAlive(status.owner.pid), 'supervisor alive after dispatch exited');
  t.equal(record.worker_pid, status.worker.pid);
  // The worker runs in the worktree, on the task branch, with the run's identity in its env.
  const seen = await waitFor(() => firstRecordOf(log), 'worker started');
  t.equal(seen.cwd, path.join(box.worktreesDir, 'alpha'));
  t.equal(seen.prompt, 'do it');
  t.equal(seen.slug, 'alpha');
  t.equal(seen.run_id, record.run_id);
  const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: seen.cwd, encoding: 'utf8' }).trim();
  t.equal(branch, 'task/alpha');
  // Neither the worktrees nor the state dir show up in the main checkout's status.
  t.equal(execFileSync('git', ['status', '--porcelain'], { cwd: box.repo, encoding: 'utf8' }), '');
  // Output reaches the log, with a header per run, and the status keeps last_output_at.
  await waitFor(() => fs.readFileSync(path.join(box.stateDir, 'dispatch-alpha.log'), 'utf8').includes('tick 1'), 'worker output in log');
  await waitFor(() => statusOf(box, 'alpha').last_output_at, 'last_output_at');
  t.match(fs.readFileSync(path.join(box.stateDir, 'dispatch-alpha.log'), 'utf8'), /=== task-manager: run r-\S+ of alpha \(attempt 1, worker command\)/);
  const events = historyOf(box, 'alpha').map((e) => e.event);
  t.same(events.slice(0, 3), ['dispatch_requested', 'claimed', 'run_started']);
  // State files are private.
  t.equal(fs.statSync(path.join(box.stateDir, 'dispatch-alpha.status.json')).mode & 0o777, 0o600);
  t.equal(fs.statSync(path.join(box.stateDir, 'dispatch-alpha.history.jsonl')).mode & 0o777, 0o600);
  t.equal(fs.statSync(path.join(box.stateDir, 'dispatch-alpha.log')).mode & 0o777, 0o600);
});

// 16 dispatches of one slug at once: the start race in tests/reliability/races-input.test.ts
// (with a barrier, so they surely race), with the refusals' records and messages.

t.test('a supervisor killed with -9 while its worker lives leaves the slug refused', async (t) => {
  const box = sandbox(t);
  // A quiet worker: its supervisor never holds the lock to note output when it is killed.
  const r = await runBin('dispatch', ['orphan', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: { ...box.env, SLEEPER_QUIET: '1' } });
  t.equal(r.code, 0, r.stderr);
  const status = await killSupervisor(box, 'orphan');
  await waitFor(() => !pidAlive(status.owner.pid), 'supervisor dead');
  t.ok(pidAlive(status.worker.pid), 'worker still alive');
  const again = await runBin('dispatch', ['orphan', '--prompt', 'y', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: box.env });
  t.equal(again.code, 3);
  t.match(again.records[0], { type: 'error', code: 'conflict', holder: { state: 'orphaned', worker_pid: status.worker.pid } });
  t.match(again.stderr, /orphaned worker.*worker-reap --kill-orphans/);
});

t.test('bad slugs are refused and nothing is created on disk', async (t) => {
  const box = sandbox(t);
  const before = execFileSync('find', ['.', '-not', '-path', './.git/*'], { cwd: box.repo, encoding: 'utf8' });
  const input = ['{"slug":"../x"}', '{"slug":"a/b"}', '{"slug":"a\\u0000b"}', '{"slug":"-x"}', '{"slug":".x"}', '{"slug":"UPPER"}', 'not json', '{"prompt":"no slug"}'].join('\n') + '\n';
  const r = await runBin('dispatch', ['-', '--prompt', 'p', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env, input });
  t.equal(r.code, 4, r.stderr);
  t.equal(r.records.length, 8);
  for (const rec of r.records) t.equal(rec.type, 'error');
  t.match(r.records[0], { code: 'invalid_slug', source: 'stdin:1' });
  t.match(r.records[6], { code: 'invalid_record', source: 'stdin:7' });
  t.equal(r.stderr.trim().split('\n').length, 8, 'one stderr line per bad record');
  const after = execFileSync('find', ['.', '-not', '-path', './.git/*'], { cwd: box.repo, encoding: 'utf8' });
  t.equal(after, before, 'no file or directory created');
  t.notOk(fs.existsSync(path.join(box.repo, '..', 'x')));
});

t.test('a missing agent binary gives a clear error record, not a stack trace', async (t) => {
  const box = sandbox(t);
  const r = await runBin('dispatch', ['nobin', '--prompt', 'x', '--worker-cmd', 'no-such-program-xyz --flag'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { type: 'error', code: 'start_failed', slug: 'nobin' });
  t.match(r.records[0].message, /no-such-program-xyz.*not found/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  t.match(statusOf(box, 'nobin'), { state: 'failed', outcome: 'start_failed' });
});

t.test('--wait follows the run and exits with its outcome; a good batch item still starts beside a bad one', async (t) => {
  const box = sandbox(t);
  const ok = await runBin('dispatch', ['quick', '--prompt', 'x', '--wait', '--worker-cmd', nodeWorker('sleeper.mjs', '1')], { cwd: box.repo, env: box.env });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.records.at(-1), { type: 'dispatch', result: 'ended', state: 'exited', outcome: 'ok' });
  const bad = await runBin('dispatch', ['failing', '--prompt', 'x', '--wait', '--worker-cmd', nodeWorker('sleeper.mjs', '1')], {
    cwd: box.repo,
    env: { ...box.env, SLEEPER_EXIT: '3' },
  });
  t.equal(bad.code, 5);
  t.match(bad.records.at(-1), { result: 'ended', state: 'failed', exit_code: 3 });
  t.equal(statusOf(box, 'failing').failures, 1);
});

t.test('the worktree: reused when present, an error when something else is in the way', async (t) => {
  const box = sandbox(t);
  const first = await runBin('dispatch', ['wt', '--prompt', 'x', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  const second = await runBin('dispatch', ['wt', '--prompt', 'y', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(second.code, 0, second.stderr);
  fs.mkdirSync(path.join(box.worktreesDir, 'squatter'), { recursive: true });
  const blocked = await runBin('dispatch', ['squatter', '--prompt', 'z', '--worker-cmd', 'true'], { cwd: box.repo, env: box.env });
  t.equal(blocked.code, 1);
  t.match(blocked.records[0].message, /exists but is not a worktree/);
});

t.test('SIGTERM to the supervisor stops the whole worker group and records interrupted', async (t) => {
  const box = sandbox(t);
  const pids = path.join(box.repo, '..', 'hostile.pids');
  const r = await runBin('dispatch', ['hostile', '--prompt', 'x', '--worker-cmd', nodeWorker('hostile.mjs')], {
    cwd: box.repo,
    env: { ...box.env, HOSTILE_PIDS: pids, TASK_MANAGER_KILL_GRACE_SECONDS: '1' },
  });
  t.equal(r.code, 0, r.stderr);
  const { worker, grandchild } = await waitFor(() => firstRecordOf(pids), 'hostile pids');
  const status = statusOf(box, 'hostile');
  process.kill(status.owner.pid, 'SIGTERM');
  const ended = await waitFor(() => (statusOf(box, 'hostile').state === 'interrupted' ? statusOf(box, 'hostile') : undefined), 'interrupted');
  t.equal(ended.outcome, 'interrupted');
  t.notOk(pidAlive(worker), 'worker gone');
  t.notOk(pidAlive(grandchild), 'detached grandchild gone');
  await waitFor(() => !pidAlive(status.owner.pid), 'supervisor exits');
});

t.test('a run with no output for the stall limit is stopped as stalled', async (t) => {
  const box = sandbox(t);
  const r = await runBin('dispatch', ['stall', '--prompt', 'x', '--stall-seconds', '1', '--worker-cmd', "sh -c 'sleep 30' sh"], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  const ended = await waitFor(() => (statusOf(box, 'stall').state === 'stalled' ? statusOf(box, 'stall') : undefined), 'stalled');
  t.equal(ended.outcome, 'stalled');
  t.notOk(pidAlive(ended.worker.pid));
});

t.test('the per-package build (tools/*/dist/bin.js) runs a chain to its end too, with its own supervisor', async (t) => {
  // Every other test runs the bundles users run (fixtures/bins.ts): this one keeps the
  // development build's entry points and its supervisor path working.
  const box = sandbox(t);
  const run = (name: string, args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(...nodeArgv(devBinPath(name), args), { cwd: box.repo, env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  // The worker says who its parent is: the supervisor this build started.
  const d = await run('dispatch', ['dev', '--prompt', 'x', '--wait', '--worker-cmd', `sh -c 'echo "parent: $(tr "\\0" " " < /proc/$PPID/cmdline)"' sh`]);
  t.equal(d.code, 0, d.stderr);
  t.match(parseRecords(d.stdout), [{ type: 'dispatch', slug: 'dev', result: 'started' }, { type: 'dispatch', result: 'ended', outcome: 'ok' }]);
  t.match(statusOf(box, 'dev'), { state: 'exited', outcome: 'ok' });
  t.equal(historyOf(box, 'dev').filter((e) => e.event === 'run_ended').length, 1);
  const w = await run('dispatch-watch', ['--log', 'dev']);
  t.equal(w.code, 0, w.stderr);
  const parent = parseRecords(w.stdout).find((r) => String(r.text).startsWith('parent: '));
  t.match(parent?.text, /shared\/core\/dist\/supervisor\/main\.js/, 'its supervisor is the per-package one; its log read by the per-package dispatch-watch');
});
