// A task's class without processes or files: what the heartbeat decides from a task and
// its last status — active, held, limited, done, gave_up, waiting, the retry cooldown and
// its growth, and a cooldown that a wall-clock jump cannot end early.
import t from 'tap';
import { classifyTask, type ClassifyContext, type DispatchInfo } from '@task-manager/core/heartbeat/classify';
import { cooldownMs } from '@task-manager/core/heartbeat/cooldown';
import { bootId } from '@task-manager/core/liveness/proc';
import type { StatusRecord } from '@task-manager/core/status/schema';
import type { Task } from '@task-manager/core/tasks/task';

const task = (slug: string, over: Partial<Task> = {}): Task => ({ slug, source: `tasks/${slug}.md`, status: 'ready', priority: 2, depends_on: [], body: '', order: 0, ...over });
const monoNow = () => Number(process.hrtime.bigint() / 1_000_000n);
const ISO = (ms: number) => new Date(ms).toISOString();
/** A status whose run ended `agoMs` ago by the monotonic clock (and the wall clock, unless `wallAgoMs` says otherwise). */
const ended = (over: Partial<StatusRecord> & { agoMs?: number; wallAgoMs?: number } = {}): StatusRecord => {
  const { agoMs = 0, wallAgoMs = agoMs, ...fields } = over;
  return {
    type: 'status', version: 1, slug: 's', state: 'failed', fence: 1, run_id: 'r-1', attempt: 1, failures: 1, token: null, owner: null, worker: null, spec: null,
    prompt: 'p', session_id: null, created_at: ISO(0), updated_at: ISO(0), started_at: ISO(0), ended_at: ISO(Date.now() - wallAgoMs),
    ended_mono: { boot_id: bootId(), ms: monoNow() - agoMs }, last_output_at: null, exit_code: 1, signal: null, outcome: 'error', reason: 'exit code 1',
    cost_usd: null, followups: [], followup_id: null, interrupt_requested: null, ...fields,
  };
};
const ctx = (over: Partial<ClassifyContext> = {}): ClassifyContext => ({ retryCooldownMs: 300_000, retryCooldownMaxMs: 3_600_000, maxAttempts: 5, lookup: () => undefined, ...over });
const info = (status?: StatusRecord, extra: Partial<DispatchInfo> = {}): DispatchInfo => ({ status, state: status?.state, ...extra });

t.test('cooldownMs: none before a failure; base × 2^(n−1) within ±10 %, capped; the same for the same slug and count', async (t) => {
  t.equal(cooldownMs('a', 0, 1000, 10_000), 0, 'no failure, no wait');
  t.equal(cooldownMs('a', 3, 0, 10_000), 0, 'a zero base turns the cooldown off');
  for (const [failures, raw] of [[1, 1000], [2, 2000], [3, 4000]] as const) {
    const ms = cooldownMs('a', failures, 1000, 60_000);
    t.ok(ms >= raw * 0.9 && ms <= raw * 1.1, `failure ${failures}: ${ms} ms is ${raw} ms ± 10 %`);
  }
  t.ok(cooldownMs('a', 20, 1000, 10_000) <= 10_000, 'never above the cap');
  t.ok(cooldownMs('a', 20, 1000, 10_000) >= 9000, 'the cap, less the jitter at most');
  t.equal(cooldownMs('a', 2, 1000, 60_000), cooldownMs('a', 2, 1000, 60_000), 'the deadline does not move between ticks');
  const spread = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((slug) => cooldownMs(slug, 1, 100_000, 1_000_000)));
  t.ok(spread.size > 1, 'tasks that failed together do not all retry together');
});

t.test('never dispatched: dispatchable; not ready: not_ready; a damaged status: invalid', async (t) => {
  t.same(classifyTask(task('a'), {}, ctx()), { class: 'dispatchable', reason: 'ready, never dispatched' });
  t.match(classifyTask(task('a', { status: 'blocked' }), {}, ctx()), { class: 'not_ready', reason: 'task status is blocked' });
  t.match(classifyTask(task('a'), { damaged: 'not valid JSON' }, ctx()), { class: 'invalid', reason: 'status file damaged: not valid JSON' }, 'never dispatched beside an unknown worker');
});

t.test('a live or orphaned worker makes the task active, whatever else its status says', async (t) => {
  for (const state of ['starting', 'running', 'orphaned'] as const) {
    const c = classifyTask(task('a', { status: 'blocked' }), info(ended({ state: 'running', failures: 9 }), { state }), ctx());
    t.equal(c.class, 'active', state);
  }
  t.match(classifyTask(task('a'), info(ended({ state: 'running' }), { state: 'orphaned' }), ctx()).reason, /worker-reap --kill-orphans/);
});

t.test('an operator hold: held with the way out; a budget hold lifts once the budget is raised', async (t) => {
  const hold = { by: 'ann@host dispatch-stop', at: '2026-01-01T00:00:00.000Z', reason: 'operator' };
  t.match(classifyTask(task('a'), info(ended({ held: hold })), ctx()), { class: 'held', reason: /held by ann@host dispatch-stop .*dispatch-stop --release a$/ });
  const budget = ended({ state: 'exited', outcome: 'ok', failures: 0, held: { ...hold, by: 'supervisor', reason: 'budget' }, cost_total_usd: 1.5 });
  t.match(classifyTask(task('a'), info(budget), ctx({ budgetFor: () => 1 })), { class: 'held', reason: /cost budget is spent \(\$1\.50\); raise max_cost_usd/ });
  t.match(classifyTask(task('a'), info(budget), ctx({ budgetFor: () => null })), { class: 'held' }, 'no budget now: still held');
  t.match(classifyTask(task('a'), info(budget), ctx({ budgetFor: () => 5 })), { class: 'done' }, 'a raised budget lifts the budget hold');
});

t.test('a limited run waits out its limit on the monotonic clock, then goes on', async (t) => {
  const limit = { kind: 'usage' as const, account: 'claude:x', resets_at: 'later', wait_ms: 60_000, streak: 1 };
  const waiting = classifyTask(task('a'), info(ended({ state: 'limited', outcome: 'limited', failures: 0, limit, agoMs: 1000, wallAgoMs: 7_200_000 })), ctx());
  t.match(waiting, { class: 'limited', reason: /usage limit; resumes when it resets/ }, 'two hours by the wall clock, one second by the monotonic one: still limited');
  const left = Date.parse(waiting.until as string) - Date.now();
  t.ok(left > 55_000 && left <= 60_000, `until is the wait left (${left} ms)`);
  t.match(classifyTask(task('a'), info(ended({ state: 'limited', outcome: 'limited', failures: 0, limit, agoMs: 61_000 })), ctx()), { class: 'dispatchable' }, 'after the wait');
});

t.test('a run that ended ok is done; failures in a row up to max attempts are gave_up, with the way out', async (t) => {
  t.match(classifyTask(task('a'), info(ended({ state: 'exited', outcome: 'ok', failures: 0 })), ctx()), { class: 'done', reason: 'the last run ended ok' });
  // A chain released with follow-ups left (a shutdown, a lost lease) is not done: they run next.
  const left = [{ id: 'f-1', prompt: 'more', mode: 'queue' as const, queued_at: 'q' }];
  t.match(classifyTask(task('a'), info(ended({ state: 'exited', outcome: 'ok', failures: 0, followups: left })), ctx()), { class: 'dispatchable' }, 'follow-ups left: dispatchable');
  t.match(classifyTask(task('flaky'), info(ended({ failures: 2, agoMs: 10_000_000 })), ctx({ maxAttempts: 2 })), { class: 'gave_up', reason: '2 failed runs in a row; clear with hb-tick --clear flaky' });
  t.match(classifyTask(task('flaky'), info(ended({ failures: 1, agoMs: 10_000_000 })), ctx({ maxAttempts: 2 })), { class: 'dispatchable' }, 'one short of the limit');
  t.match(classifyTask(task('flaky'), info(ended({ failures: 50, agoMs: 100_000_000 })), ctx({ maxAttempts: 0 })), { class: 'dispatchable' }, 'max attempts 0: never gave_up');
  t.match(classifyTask(task('flaky', { status: 'blocked' }), info(ended({ failures: 9 })), ctx({ maxAttempts: 2 })), { class: 'not_ready' }, 'a task no longer ready is not_ready first');
});

t.test('depends_on: unknown is invalid, unfinished is waiting, done by its task file or its last run', async (t) => {
  const entries: Record<string, { task?: Task; info: DispatchInfo }> = {
    open: { task: task('open'), info: {} },
    closed: { task: task('closed', { status: 'completed' }), info: {} },
    ran: { info: { status: ended({ state: 'exited', outcome: 'ok', failures: 0 }) } },
    failed: { task: task('failed'), info: { status: ended() } },
  };
  const c = ctx({ lookup: (slug) => entries[slug] });
  t.match(classifyTask(task('a', { depends_on: ['nope'] }), {}, c), { class: 'invalid', reason: 'depends_on names an unknown task: nope' });
  t.match(classifyTask(task('a', { depends_on: ['closed', 'open'] }), {}, c), { class: 'waiting', reason: 'waiting for open' });
  t.match(classifyTask(task('a', { depends_on: ['failed'] }), {}, c), { class: 'waiting' }, 'a failed run is not done');
  t.match(classifyTask(task('a', { depends_on: ['closed', 'ran'] }), {}, c), { class: 'dispatchable' });
});

t.test('a failed run is in cooldown until it ends, counted on the monotonic clock; then retried', async (t) => {
  const c = ctx({ retryCooldownMs: 10_000, retryCooldownMaxMs: 100_000 });
  const wait = cooldownMs('flaky', 1, 10_000, 100_000);
  const fresh = classifyTask(task('flaky'), info(ended({ agoMs: 1000 })), c);
  t.match(fresh, { class: 'cooldown', reason: 'last run error; retry 2 when the cooldown ends' });
  t.notMatch(fresh.reason, /after \d+ s/, 'no frozen duration in the reason');
  const left = Date.parse(fresh.until as string) - Date.now();
  t.ok(left > wait - 1000 - 500 && left <= wait - 1000, `until is the cooldown left (${left} ms of ${wait})`);
  // The wall clock jumped an hour either way; the monotonic stamp says one second.
  t.match(classifyTask(task('flaky'), info(ended({ agoMs: 1000, wallAgoMs: 3_600_000 })), c), { class: 'cooldown' }, 'clock moved forward an hour');
  t.match(classifyTask(task('flaky'), info(ended({ agoMs: 1000, wallAgoMs: -3_600_000 })), c), { class: 'cooldown' }, 'clock moved back an hour');
  // A stamp from another boot: only the wall clock is left to measure with.
  t.match(classifyTask(task('flaky'), info(ended({ agoMs: 1000, wallAgoMs: 3_600_000, ended_mono: { boot_id: 'another-boot', ms: 0 } })), c), { class: 'dispatchable' }, 'after a reboot, by the wall clock');
  t.match(classifyTask(task('flaky'), info(ended({ agoMs: wait + 1 })), c), { class: 'dispatchable', reason: 'retry after error' });
  const gone = ended({ state: 'worker_gone', outcome: 'worker_gone', agoMs: wait + 1 });
  t.match(classifyTask(task('flaky'), info(gone), c), { class: 'dispatchable', reason: 'retry after worker_gone' });
  // The cooldown doubles with each failure in a row.
  const second = classifyTask(task('flaky'), info(ended({ failures: 2, agoMs: wait + 1 })), c);
  t.match(second, { class: 'cooldown', reason: /retry 3/ }, 'the second failure waits longer than the first');
});
