// What a claim writes, without files: the new run, and what carries over from earlier chains.
import t from 'tap';
import { claimedStatus } from '@task-manager/core/dispatch/claimed-status';

const base = { slug: 's', spec: { worker: 'claude' } as any, fence: 4, runId: 'r-new', token: 'tok', owner: { boot_id: 'b', pid: 1, start_time: '1' }, now: 'NOW' };
const previous = (extra: Record<string, unknown> = {}) => ({
  type: 'status', version: 1, slug: 's', state: 'failed', fence: 3, run_id: 'r-old', attempt: 2, failures: 1, token: 't', owner: null, worker: null, spec: null,
  prompt: 'old', session_id: 'sess', created_at: 'THEN', updated_at: 'u', started_at: 's', ended_at: 'e', ended_mono: null, last_output_at: null, exit_code: 1,
  signal: null, outcome: 'error', reason: 'r', cost_usd: 0.2, followups: [], followup_id: null, interrupt_requested: null, held: { by: 'me', at: 'a', reason: 'operator' },
  limit: { kind: 'rate', account: 'a', resets_at: 'x', wait_ms: 1, streak: 2 }, cost_total_usd: 1.5, ...extra,
}) as any;

t.test('a first claim: starting, fence and run, the prompt given', async (t) => {
  const { status, followupId } = claimedStatus({ ...base, previous: undefined, prompt: 'do it' });
  t.match(status, { state: 'starting', fence: 4, run_id: 'r-new', attempt: 0, failures: 0, prompt: 'do it', created_at: 'NOW', followups: [], held: null });
  t.equal(followupId, null);
});

t.test('a later claim keeps the session, the counts, the limit streak and the money spent; lifts the hold', async (t) => {
  const { status } = claimedStatus({ ...base, previous: previous(), prompt: 'again' });
  t.match(status, { attempt: 2, failures: 1, session_id: 'sess', created_at: 'THEN', cost_total_usd: 1.5, limit: { streak: 2 }, held: null, outcome: null, reason: null, cost_usd: null });
});

t.test('no prompt: the oldest pending follow-up runs, interrupts first; a chain that died unnoticed counts as a failure', async (t) => {
  const followups = [{ id: 'f-q', prompt: 'queued', mode: 'queue', queued_at: 'q' }];
  const { status, followupId } = claimedStatus({ ...base, previous: previous({ state: 'running', followups }), prompt: null, followup: { id: 'f-i', prompt: 'now', mode: 'interrupt', queued_at: 'q' } });
  t.equal(followupId, 'f-i');
  t.equal(status.prompt, 'now');
  t.same(status.followups.map((f: { id: string }) => f.id), ['f-q']);
  t.equal(status.failures, 2, 'running with nobody alive: one more failure');
  t.throws(() => claimedStatus({ ...base, previous: undefined, prompt: null }), /no prompt and no follow-up/);
});
