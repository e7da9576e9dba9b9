// What the operator runs comes from the operator: never from a status file; a task file's
// command only when allowed; a task file is read as a capped regular file; the queue is capped.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf, writeTask } from '../fixtures/e2e.js';

const writeStatus = (box: ReturnType<typeof sandbox>, slug: string, fields: Record<string, unknown>) => {
  fs.mkdirSync(box.stateDir, { recursive: true, mode: 0o700 });
  const now = new Date().toISOString();
  const status = {
    type: 'status', version: 1, slug, state: 'exited', fence: 1, run_id: 'r-old', attempt: 1, failures: 0, token: null, owner: null, worker: null,
    spec: null, prompt: 'p', session_id: null, created_at: now, updated_at: now, started_at: now, ended_at: now, ended_mono: null, last_output_at: null,
    exit_code: 0, signal: null, outcome: 'ok', reason: null, cost_usd: null, followups: [], followup_id: null, interrupt_requested: null, ...fields,
  };
  fs.writeFileSync(path.join(box.stateDir, `dispatch-${slug}.status.json`), JSON.stringify(status), { mode: 0o600 });
};

t.test('dispatch-continue never runs a command written in a status file', async (t) => {
  const box = sandbox(t);
  const pwned = path.join(path.dirname(box.repo), 'pwned');
  writeStatus(box, 'victim', { spec: { worker: 'command', worker_cmd: `touch ${pwned}`, repo: box.repo, worktree: path.join(box.worktreesDir, 'victim'), branch: 'task/victim', stall_ms: 0, max_run_ms: 0, grace_ms: 1000 } });
  const r = await runBin('dispatch-continue', ['victim', '--prompt', 'go on'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 4, 'refused: the command worker needs a program from the operator');
  t.match(r.stderr, /needs a program/);
  t.notOk(fs.existsSync(pwned), 'the command from the status file never ran');
  t.match(statusOf(box, 'victim'), { run_id: 'r-old' }, 'nothing was claimed');
});

t.test('a task file linked to /dev/zero (or a FIFO) is one invalid task, and the tick goes on', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'fine', 'status: blocked');
  fs.symlinkSync('/dev/zero', path.join(box.repo, 'tasks', 'zero.md'));
  const tick = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env: box.env, timeoutMs: 30_000 });
  t.equal(tick.code, 4, tick.stderr);
  t.match(tick.records.find((r) => r.slug === 'zero'), { class: 'invalid', reason: /not a regular file/ });
  t.match(tick.records.find((r) => r.slug === 'fine'), { class: 'not_ready' }, 'the other tasks are still read');
  fs.writeFileSync(path.join(box.repo, 'tasks', 'big.md'), `---\nstatus: ready\n---\n${'x'.repeat(2 * 1024 * 1024)}`);
  const big = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env: box.env });
  t.match(big.records.find((r) => r.slug === 'big'), { class: 'invalid', reason: /over the 1048576-byte limit/ });
});

t.test('a task holds at most 100 queued follow-ups', async (t) => {
  const box = sandbox(t);
  const followups = Array.from({ length: 100 }, (_, i) => ({ id: `f-${i}`, prompt: `p${i}`, mode: 'queue', queued_at: new Date().toISOString() }));
  writeStatus(box, 'busy', { followups });
  const r = await runBin('dispatch-continue', ['busy', '--prompt', 'one more', '--worker', 'demo'], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { type: 'error', code: 'queue_full' });
  t.equal(statusOf(box, 'busy').followups.length, 100, 'nothing added');
});
