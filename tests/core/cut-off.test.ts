// A follow-up whose run died unfinished goes back to the head of the queue, once.
import t from 'tap';
import { claimedStatus } from '@task-manager/core/dispatch/claimed-status';
import { cutOffFollowup, queueRunsFirst } from '@task-manager/core/followups/cut-off';

const status = (extra: Record<string, unknown> = {}) => ({
  type: 'status', version: 1, slug: 's', state: 'running', fence: 3, run_id: 'r-1', attempt: 1, failures: 0, token: 't', owner: null, worker: null,
  spec: null, prompt: 'the follow-up', session_id: 'sess', created_at: 'c', updated_at: 'u', started_at: 'a', ended_at: null, ended_mono: null, last_output_at: null,
  exit_code: null, signal: null, outcome: null, reason: null, cost_usd: null, followups: [{ id: 'f-2', prompt: 'next', mode: 'queue', queued_at: 'q' }],
  followup_id: 'f-1', interrupt_requested: null, client_keys: [{ key: 'host-a-1', followup_id: 'f-1' }], ...extra,
}) as any;

t.test('a chain that died carrying a follow-up: it is put back first, with its sender key', async (t) => {
  for (const state of ['starting', 'running', 'worker_gone']) {
    t.match(cutOffFollowup(status({ state }), 'NOW'), { id: 'f-1', prompt: 'the follow-up', mode: 'queue', cut_off_at: 'NOW', client_key: 'host-a-1' }, state);
    t.ok(queueRunsFirst(status({ state })), `${state}: the next run takes it, not the task's prompt`);
  }
});

t.test('nothing to put back: the run ended and said so, it ran the task prompt, or it is queued already', async (t) => {
  for (const state of ['exited', 'failed', 'interrupted', 'limited']) t.equal(cutOffFollowup(status({ state }), 'NOW'), undefined, state);
  t.equal(cutOffFollowup(status({ followup_id: null }), 'NOW'), undefined, 'the task prompt: hb-tick retries it');
  t.equal(cutOffFollowup(status({ followups: [{ id: 'f-1', prompt: 'x', mode: 'queue', queued_at: 'q' }] }), 'NOW'), undefined);
  t.notOk(queueRunsFirst(status({ state: 'exited', outcome: 'error' })), 'a failed chain with its queue: the task prompt is retried first');
  t.ok(queueRunsFirst(status({ state: 'exited', outcome: 'ok' })), 'the prompt ended ok and follow-ups are left: they run');
  t.notOk(queueRunsFirst(status({ state: 'exited', outcome: 'ok', followups: [] })), 'nothing left: nothing to run');
  t.notOk(queueRunsFirst(undefined));
});

t.test('the claim after a dead chain runs the cut-off follow-up before the rest, and puts it back only once', async (t) => {
  const base = { slug: 's', spec: { worker: 'claude' } as any, fence: 4, token: 'tok', owner: { boot_id: 'b', pid: 1, start_time: '1' }, now: 'NOW' };
  const first = claimedStatus({ ...base, runId: 'r-2', previous: status({ state: 'worker_gone' }), prompt: null });
  t.equal(first.followupId, 'f-1');
  t.equal(first.status.prompt, 'the follow-up');
  t.same(first.status.followups.map((f: { id: string }) => f.id), ['f-2']);
  // That chain dies too: the follow-up comes back again, still once.
  const second = claimedStatus({ ...base, runId: 'r-3', previous: { ...first.status, state: 'running' }, prompt: null });
  t.equal(second.followupId, 'f-1');
  t.same(second.status.followups.map((f: { id: string }) => f.id), ['f-2']);
  // An explicit prompt (dispatch with --prompt) runs first; the cut-off follow-up waits at the head.
  const explicit = claimedStatus({ ...base, runId: 'r-4', previous: status({ state: 'worker_gone' }), prompt: 'the task' });
  t.same(explicit.status.followups.map((f: { id: string }) => f.id), ['f-1', 'f-2']);
});
