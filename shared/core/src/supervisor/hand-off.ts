import { HISTORY_EVENTS } from '../history/events.js';
import { endRun } from '../status/end-run.js';
import { putBackCarried, requeued } from '../followups/cut-off.js';
import type { LimitState, RunSpec, StatusRecord } from '../status/schema.js';
import type { RunEnd, Verdict } from '../workers/types.js';

/** One run to start: the prompt, and the session it resumes. */
export interface NextRun {
  runId: string;
  token: string;
  prompt: string;
  followupId: string | null;
  resumeSessionId: string | null;
  /** This run is the fresh-session fallback after a resume found no session. */
  fallback: boolean;
}

export interface HandOffInput {
  /** The status as it is now, read under the task's lock. */
  status: StatusRecord;
  run: NextRun;
  verdict: Verdict;
  end: RunEnd;
  durationMs: number;
  /** Over-long output lines cut for parsing. */
  cut: { lines: number; bytes: number };
  spec: Pick<RunSpec, 'max_cost_usd'>;
  resumable: boolean;
  shuttingDown: boolean;
  lastOutputIso: string | null;
  now: string;
  /** What the caller knows that is not in the status: the account, the environment, the history. */
  limitState: (status: StatusRecord) => LimitState;
  recapPrompt: () => string;
  newRun: () => { runId: string; token: string };
  newFollowupId: () => string;
}

export interface HandOff {
  /** Written in order, under the one hold of the lock: the run's end, then the next run's start. */
  writes: StatusRecord[];
  ended: StatusRecord;
  next?: NextRun;
  /** Appended to history once the lock is released. */
  events: { event: string; fields: Record<string, unknown> }[];
}

/**
 * After a run: how it ended, and what happens next — the next queued follow-up (resuming
 * the session), the fresh-session fallback when the session was gone, or the release of
 * the task (empty queue, a shutdown, a hold, a limit, a spent budget). Pure: the same
 * status and run give the same decision, so it is tested without processes.
 */
export const handOff = (input: HandOffInput): HandOff => {
  const { status: s, run, verdict, end } = input;
  const observed = end.observed;
  const limited = verdict.outcome === 'limited';
  const total = (s.cost_total_usd ?? 0) + (observed.costUsd ?? 0);
  const overBudget = input.spec.max_cost_usd != null && total >= input.spec.max_cost_usd && !s.held;
  const ended = endRun(s, verdict, {
    exit_code: end.exitCode,
    signal: end.signal,
    session_id: observed.sessionId ?? s.session_id,
    cost_usd: observed.costUsd ?? s.cost_usd,
    cost_total_usd: total,
    last_output_at: input.lastOutputIso ?? s.last_output_at,
    interrupt_requested: null,
    stop_requested: null,
    limit: limited ? input.limitState(s) : null,
    // The budget is spent: held, not failed; a raised budget or a release lifts it.
    ...(overBudget ? { held: { by: 'supervisor', at: input.now, reason: 'budget' } } : {}),
  });
  // The prompt a limit cut off waits at the head of the queue, and the chain ends: the
  // account is limited, so nothing else should start on it now. A follow-up a lost lease
  // cut off waits there too (followups/cut-off.ts): it was never finished.
  if (limited) {
    const id = run.followupId ?? input.newFollowupId();
    const key = s.client_keys?.find((k) => k.followup_id === id)?.key;
    ended.followups = [requeued(id, run.prompt, input.now, key), ...ended.followups];
  }
  // A follow-up whose run its supervisor cut short — the lease lost, or the supervisor
  // stopped (SIGTERM: a host going down) or failing — goes back to the head of the queue,
  // carried no more (a later claim does not put it back twice). An operator's stop or
  // interrupt, a stall and a time limit are ends of their own: not put back.
  const cutShort = (end.stoppedBy === 'lease' || end.stoppedBy === 'shutdown') && run.followupId !== null;
  const putBack = cutShort ? putBackCarried(ended, input.now) : undefined;
  if (putBack) Object.assign(ended, { followups: putBack.followups, followup_id: null });
  const events: HandOff['events'] = [
    {
      event: HISTORY_EVENTS.runEnded,
      fields: {
        run_id: run.runId,
        state: verdict.state,
        outcome: verdict.outcome,
        reason: verdict.reason,
        exit_code: end.exitCode,
        signal: end.signal,
        duration_ms: input.durationMs,
        session_id: ended.session_id,
        cost_usd: observed.costUsd ?? null,
        result_text: observed.final?.text?.slice(0, 2000) ?? null,
        followup_id: run.followupId,
        // Over-long lines were cut for parsing (the log keeps them whole).
        ...(input.cut.lines > 0 ? { output_lines_cut: input.cut.lines, output_bytes_skipped: input.cut.bytes } : {}),
      },
    },
  ];
  if (putBack) events.push({ event: HISTORY_EVENTS.followupRequeued, fields: { followup_id: run.followupId, run_id: run.runId } });
  if (overBudget) events.push({ event: HISTORY_EVENTS.held, fields: { by: 'supervisor', reason: 'budget', run_id: run.runId, cost_total_usd: total, max_cost_usd: input.spec.max_cost_usd, stopping: false } });
  const release = (): HandOff => ({ writes: [ended], ended, events: [...events, { event: HISTORY_EVENTS.released, fields: { run_id: run.runId, followups_pending: ended.followups.length } }] });
  // Shutdown, a hold and a limit release the task; queued follow-ups stay queued for the next chain.
  if (input.shuttingDown || ended.held || limited) return release();
  if (verdict.outcome === 'session_not_found' && !run.fallback) {
    const ids = input.newRun();
    const next: NextRun = { ...ids, prompt: input.recapPrompt(), followupId: run.followupId, resumeSessionId: null, fallback: true };
    events.push({ event: HISTORY_EVENTS.sessionFallback, fields: { run_id: next.runId, old_session_id: run.resumeSessionId } });
    return { writes: [ended, { ...ended, state: 'starting', run_id: next.runId, token: next.token }], ended, next, events };
  }
  const [first, ...rest] = ended.followups;
  if (!first) return release();
  const ids = input.newRun();
  const next: NextRun = { ...ids, prompt: first.prompt, followupId: first.id, resumeSessionId: input.resumable ? ended.session_id : null, fallback: false };
  return {
    writes: [ended, { ...ended, state: 'starting', run_id: next.runId, token: next.token, followups: rest, followup_id: first.id, prompt: first.prompt }],
    ended,
    next,
    events,
  };
};
