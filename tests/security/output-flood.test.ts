// A worker that writes tens of megabytes without a newline must not hold the
// supervisor's event loop: the stall limit and an interrupt still act in time, and the
// log is rotated at a run's start once it passes its limit.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, historyOf, nodeWorker, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

t.test('50 MiB without a newline, then silence: the stall limit still stops the run in time', async (t) => {
  const box = sandbox(t);
  const marker = path.join(path.dirname(box.repo), 'flooded');
  const env = { ...box.env, FLOOD_MB: '50', FLOOD_MARKER: marker, TASK_MANAGER_STALL_SECONDS: '1', TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  const d = await runBin('dispatch', ['flood', '--prompt', 'x', '--worker-cmd', nodeWorker('flood.mjs')], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => fs.existsSync(marker), 'the flood written', 60_000);
  const flooded = Number(fs.readFileSync(marker, 'utf8'));
  // Before the cap, joining every 64 KiB read onto a growing line took the supervisor
  // ~35 s of CPU for this much: no timer ran meanwhile.
  const ended = await waitFor(() => chainOver(box, 'flood'), 'the stalled run ended', 60_000);
  const tookMs = Date.parse(ended.ended_at) - flooded;
  t.match(ended, { state: 'stalled', outcome: 'stalled' });
  t.ok(tookMs < 8000, `stopped ${tookMs} ms after the flood ended (stall limit 1 s, grace 1 s)`);
  const run = historyOf(box, 'flood').find((e) => e.event === 'run_ended');
  t.match(run, { output_lines_cut: 1 }, 'the over-long line was cut for parsing and counted');
  t.ok(run.output_bytes_skipped >= 48 * 1024 * 1024, `${run.output_bytes_skipped} bytes skipped by the parser`);
  t.ok(fs.statSync(path.join(box.stateDir, 'dispatch-flood.log')).size >= 50 * 1024 * 1024, 'the log itself keeps every byte');
});

t.test('an interrupt during a flood is acted on in time', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, FLOOD_MB: '80', FLOOD_PAUSE_MS: '20', TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  const d = await runBin('dispatch', ['flood2', '--prompt', 'x', '--worker-cmd', nodeWorker('flood.mjs')], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const log = path.join(box.stateDir, 'dispatch-flood2.log');
  await waitFor(() => fs.statSync(log).size > 20 * 1024 * 1024, 'the flood under way', 60_000);
  const asked = Date.now();
  const c = await runBin('dispatch-continue', ['flood2', '--interrupt', '--prompt', 'stop that'], { cwd: box.repo, env: { ...env, FLOOD_MB: '1' } });
  t.match(c.records[0], { result: 'interrupted' });
  await waitFor(() => historyOf(box, 'flood2').some((e) => e.event === 'run_ended'), 'the flooding run ended', 60_000);
  const first = historyOf(box, 'flood2').find((e) => e.event === 'run_ended');
  const tookMs = Date.parse(first.ts) - asked;
  t.match(first, { state: 'interrupted' });
  t.ok(tookMs < 8000, `interrupted ${tookMs} ms after the request (grace 1 s)`);
  process.kill(statusOf(box, 'flood2').owner.pid, 'SIGTERM');
  await waitFor(() => chainOver(box, 'flood2'), 'chain over', 30_000);
});

t.test('a log past TASK_MANAGER_LOG_ROTATE_MIB is moved to .log.1 when the next run starts', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, FLOOD_MB: '2', TASK_MANAGER_LOG_ROTATE_MIB: '1', TASK_MANAGER_STALL_SECONDS: '1', TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  const d = await runBin('dispatch', ['big', '--prompt', 'first', '--wait', '--worker-cmd', nodeWorker('flood.mjs')], { cwd: box.repo, env, timeoutMs: 60_000 });
  t.equal(d.code, 5, 'the first run stalled');
  const log = path.join(box.stateDir, 'dispatch-big.log');
  t.ok(fs.statSync(log).size > 2 * 1024 * 1024, 'the first run wrote its 2 MiB');
  const again = await runBin('dispatch', ['big', '--prompt', 'second', '--wait', '--worker-cmd', 'true'], { cwd: box.repo, env, timeoutMs: 60_000 });
  t.equal(again.code, 0, again.stderr);
  const old = fs.readFileSync(`${log}.1`, 'utf8');
  t.match(old, /=== task-manager: run .* of big \(attempt 1/, '.log.1 holds the first run');
  t.ok(old.length > 2 * 1024 * 1024);
  const fresh = fs.readFileSync(log, 'utf8');
  t.match(fresh, /=== task-manager: run .* of big \(attempt 2/, 'the log starts again with the second run');
  t.ok(fresh.length < 4096, `the new log is small (${fresh.length} bytes)`);
  t.equal(fs.statSync(`${log}.1`).mode & 0o777, 0o600);
});

t.test('dispatch-watch --log shows a 50 MiB line without a newline quickly, cut to 1 MiB', async (t) => {
  const box = sandbox(t);
  fs.mkdirSync(box.stateDir, { recursive: true, mode: 0o700 });
  const log = path.join(box.stateDir, 'dispatch-wide.log');
  fs.writeFileSync(log, Buffer.concat([Buffer.from('before\n'), Buffer.alloc(50 * 1024 * 1024, 0x78), Buffer.from('\nafter\n')]), { mode: 0o600 });
  const started = Date.now();
  const r = await runBin('dispatch-watch', ['--log', 'wide'], { cwd: box.repo, env: box.env, timeoutMs: 60_000 });
  const tookMs = Date.now() - started;
  t.equal(r.code, 0, r.stderr);
  t.same(r.records.map((x) => [x.text.length, x.cut_chars ?? 0]), [[6, 0], [1024 * 1024, 49 * 1024 * 1024], [5, 0]], 'the long line cut, and the cut counted');
  t.ok(tookMs < 10_000, `read in ${tookMs} ms`);
});
