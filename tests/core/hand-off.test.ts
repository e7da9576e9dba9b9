// The hand-off decision after a run, without processes: the same status and run, the same answer.
import t from 'tap';
import { handOff, type HandOffInput } from '@task-manager/core/supervisor/hand-off';

const status = (extra: Record<string, unknown> = {}) => ({
  type: 'status', version: 1, slug: 's', state: 'running', fence: 3, run_id: 'r-1', attempt: 1, failures: 2, token: 't', owner: null, worker: null,
  spec: null, prompt: 'p', session_id: 'sess-1', created_at: 'c', updated_at: 'u', started_at: 'a', ended_at: null, ended_mono: null, last_output_at: null,
  exit_code: null, signal: null, outcome: null, reason: null, cost_usd: null, followups: [], followup_id: null, interrupt_requested: null, ...extra,
}) as any;
const ok = { state: 'exited', outcome: 'ok', reason: null } as const;
let n = 0;
const input = (over: Partial<HandOffInput> = {}): HandOffInput => ({
  status: status(),
  run: { runId: 'r-1', token: 't', prompt: 'do it', followupId: null, resumeSessionId: null, fallback: false },
  verdict: ok,
  end: { exitCode: 0, signal: null, observed: { sessionNotFound: false, aborted: false, costUsd: 0.5 } },
  durationMs: 10,
  cut: { lines: 0, bytes: 0 },
  spec: { max_cost_usd: null },
  resumable: true,
  shuttingDown: false,
  lastOutputIso: null,
  now: '2026-11-25T00:00:00.000Z',
  limitState: () => ({ kind: 'rate', account: 'claude:x', resets_at: 'later', wait_ms: 1000, streak: 1 }),
  recapPrompt: () => 'recap',
  newRun: () => ({ runId: `r-new-${(n += 1)}`, token: 'tok' }),
  newFollowupId: () => 'f-new',
  ...over,
});
const events = (h: ReturnType<typeof handOff>) => h.events.map((e) => e.event);

t.test('an ok run with nothing queued: ended, failures reset, released', async (t) => {
  const h = handOff(input());
  t.equal(h.writes.length, 1);
  t.match(h.ended, { state: 'exited', outcome: 'ok', failures: 0, cost_usd: 0.5, cost_total_usd: 0.5 });
  t.equal(h.next, undefined);
  t.same(events(h), ['run_ended', 'released']);
});

t.test('a queued follow-up runs next, resuming the session, in the same hold of the lock', async (t) => {
  const h = handOff(input({ status: status({ followups: [{ id: 'f-1', prompt: 'more', mode: 'queue', queued_at: 'q' }, { id: 'f-2', prompt: 'later', mode: 'queue', queued_at: 'q' }] }) }));
  t.match(h.next, { prompt: 'more', followupId: 'f-1', resumeSessionId: 'sess-1', fallback: false });
  t.equal(h.writes.length, 2, 'the end and the next start');
  t.match(h.writes[1], { state: 'starting', followup_id: 'f-1', prompt: 'more' });
  t.same(h.writes[1]!.followups.map((f: { id: string }) => f.id), ['f-2']);
  t.same(events(h), ['run_ended'], 'no release');
  t.equal(handOff(input({ resumable: false, status: status({ followups: [{ id: 'f-1', prompt: 'x', mode: 'queue', queued_at: 'q' }] }) })).next?.resumeSessionId, null, 'an agent without sessions starts fresh');
});

t.test('a failure counts; a stop and a limit do not', async (t) => {
  t.equal(handOff(input({ verdict: { state: 'failed', outcome: 'error', reason: 'x' } })).ended.failures, 3);
  t.equal(handOff(input({ verdict: { state: 'stopped', outcome: 'stopped', reason: 'x' } })).ended.failures, 2);
  t.equal(handOff(input({ verdict: { state: 'limited', outcome: 'limited', reason: 'x' } })).ended.failures, 2);
});

t.test('a limited run puts its prompt back at the head of the queue and releases the task', async (t) => {
  const h = handOff(input({ verdict: { state: 'limited', outcome: 'limited', reason: 'usage limit' }, status: status({ followups: [{ id: 'f-1', prompt: 'next', mode: 'queue', queued_at: 'q' }] }) }));
  t.equal(h.next, undefined, 'nothing else starts on a limited account');
  t.same(h.ended.followups.map((f: { id: string; prompt: string }) => [f.id, f.prompt]), [['f-new', 'do it'], ['f-1', 'next']]);
  t.match(h.ended.limit, { account: 'claude:x', wait_ms: 1000 });
  t.same(events(h), ['run_ended', 'released']);
  const fromFollowup = handOff(input({ verdict: { state: 'limited', outcome: 'limited', reason: 'x' }, run: { runId: 'r-1', token: 't', prompt: 'q', followupId: 'f-9', resumeSessionId: 'sess-1', fallback: false } }));
  t.equal(fromFollowup.ended.followups[0]!.id, 'f-9', 'a cut-off follow-up keeps its id');
});

t.test('a spent budget holds the task and releases it; a held or shut-down chain starts nothing', async (t) => {
  const queued = { followups: [{ id: 'f-1', prompt: 'x', mode: 'queue', queued_at: 'q' }] };
  const spent = handOff(input({ spec: { max_cost_usd: 1 }, status: status({ ...queued, cost_total_usd: 0.75 }) }));
  t.match(spent.ended, { cost_total_usd: 1.25, held: { by: 'supervisor', reason: 'budget' } });
  t.equal(spent.next, undefined);
  t.same(events(spent), ['run_ended', 'held', 'released']);
  t.equal(handOff(input({ status: status({ ...queued, held: { by: 'op', at: 'a', reason: 'operator' } }) })).next, undefined);
  t.equal(handOff(input({ shuttingDown: true, status: status(queued) })).next, undefined);
});

t.test('a resume whose session is gone falls back once to a fresh session with a recap', async (t) => {
  const lost = { verdict: { state: 'failed', outcome: 'session_not_found', reason: 'gone' } as const, run: { runId: 'r-1', token: 't', prompt: 'p', followupId: 'f-1', resumeSessionId: 'old', fallback: false } };
  const h = handOff(input(lost));
  t.match(h.next, { prompt: 'recap', resumeSessionId: null, fallback: true, followupId: 'f-1' });
  t.same(events(h), ['run_ended', 'session_fallback']);
  t.equal(handOff(input({ ...lost, run: { ...lost.run, fallback: true } })).next, undefined, 'never twice');
});

t.test('a follow-up whose run its supervisor cut short (a lost lease, a shutdown) waits at the head of the queue, carried no more', async (t) => {
  const leaseStop = {
    verdict: { state: 'interrupted', outcome: 'interrupted', reason: 'lease' } as const,
    end: { exitCode: null, signal: 'SIGTERM', stoppedBy: 'lease', observed: { sessionNotFound: false, aborted: false } } as any,
    shuttingDown: true,
    status: status({ prompt: 'seven', followup_id: 'f-7', client_keys: [{ key: 'k-7', followup_id: 'f-7' }], followups: [{ id: 'f-8', prompt: 'after', mode: 'queue', queued_at: 'q' }] }),
    run: { runId: 'r-1', token: 't', prompt: 'seven', followupId: 'f-7', resumeSessionId: 'sess-1', fallback: false },
  };
  const h = handOff(input(leaseStop));
  t.equal(h.next, undefined, 'the chain ends: its lease is gone');
  t.match(h.ended.followups, [{ id: 'f-7', prompt: 'seven', cut_off_at: '2026-11-25T00:00:00.000Z', client_key: 'k-7' }, { id: 'f-8' }]);
  t.equal(h.ended.followup_id, null);
  // The task's own prompt is retried by the heartbeat as for any interrupted chain: not queued.
  const ownPrompt = handOff(input({ ...leaseStop, run: { ...leaseStop.run, followupId: null } }));
  t.same(ownPrompt.ended.followups.map((f: { id: string }) => f.id), ['f-8']);
  // A shutdown (SIGTERM: a host going down; a supervisor failing) cuts it short too.
  const shutdown = handOff(input({ ...leaseStop, end: { ...leaseStop.end, stoppedBy: 'shutdown' } }));
  t.same(shutdown.ended.followups.map((f: { id: string }) => f.id), ['f-7', 'f-8']);
  t.ok(events(shutdown).includes('followup_requeued'));
  // An operator's stop or interrupt, a stall, a time limit: ends of their own.
  for (const cause of ['stop', 'interrupt', 'stall', 'timeout']) {
    const h = handOff(input({ ...leaseStop, shuttingDown: false, end: { ...leaseStop.end, stoppedBy: cause } }));
    t.same(h.ended.followups.map((f: { id: string }) => f.id), ['f-8'], `${cause}: not put back`);
  }
});
