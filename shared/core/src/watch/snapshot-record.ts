import { isAlive } from '../liveness/identity.js';
import { deriveDispatchState, type DispatchState } from '../status/dispatch-state.js';
import { isTerminal, type StatusRecord } from '../status/schema.js';
import { nowIso, nowMs, parseIsoMs } from '../time/clock.js';

/** What dispatch-watch reports for one dispatch: never the prompt. */
export interface SnapshotRecord {
  type: 'status';
  slug: string;
  dispatch_state: DispatchState;
  state: StatusRecord['state'];
  /** The chain is over: the last run ended and its supervisor is gone. */
  done: boolean;
  run_id: string | null;
  attempt: number;
  failures: number;
  worker: string | null;
  /** The host the chain's supervisor runs on (TASK_MANAGER_HOST_ID). */
  host: string | null;
  supervisor_pid: number | null;
  worker_pid: number | null;
  started_at: string | null;
  updated_at: string;
  ended_at: string | null;
  last_output_at: string | null;
  last_output_age_s: number | null;
  exit_code: number | null;
  signal: string | null;
  outcome: string | null;
  reason: string | null;
  session_id: string | null;
  followups_pending: number;
  cost_usd: number | null;
  /** Every run's cost, summed. */
  cost_total_usd: number | null;
  /** The last run hit its account's limit: kind and when it resets (null otherwise). */
  limit: { kind: string; resets_at: string } | null;
  /** For a live worker only: the last line of its log (absent otherwise). */
  last_line?: string | null;
  /** Held by an operator (dispatch-stop): who, when, why; null when not held. */
  held: StatusRecord['held'];
  ts: string;
}

const ageSeconds = (iso: string | null): number | null => {
  const ms = parseIsoMs(iso);
  return ms === undefined ? null : Math.max(0, Math.round((nowMs() - ms) / 1000));
};

/**
 * One dispatch as watch reports it. `done` needs the supervisor to be gone, not just a
 * terminal state: between a run's end and its release the supervisor may still take
 * a queued follow-up and start the next run. Follow-ups left when it is gone wait for
 * the next dispatch, so they do not keep a dispatch from being done.
 */
export const snapshotRecord = (status: StatusRecord): SnapshotRecord => {
  const dispatchState = deriveDispatchState(status);
  const done = dispatchState === 'worker_gone' || (dispatchState !== 'orphaned' && isTerminal(dispatchState) && !isAlive(status.owner));
  return {
    type: 'status',
    slug: status.slug,
    dispatch_state: dispatchState,
    state: status.state,
    done,
    run_id: status.run_id,
    attempt: status.attempt,
    failures: status.failures,
    worker: status.spec?.worker ?? null,
    host: status.owner?.host ?? null,
    supervisor_pid: status.owner?.pid ?? null,
    worker_pid: status.worker?.pid ?? null,
    started_at: status.started_at,
    updated_at: status.updated_at,
    ended_at: status.ended_at,
    last_output_at: status.last_output_at,
    last_output_age_s: ageSeconds(status.last_output_at),
    exit_code: status.exit_code,
    signal: status.signal,
    outcome: status.outcome,
    reason: status.reason,
    session_id: status.session_id,
    followups_pending: status.followups.length,
    cost_usd: status.cost_usd,
    cost_total_usd: status.cost_total_usd ?? null,
    limit: status.limit && status.state === 'limited' ? { kind: status.limit.kind, resets_at: status.limit.resets_at } : null,
    held: status.held ?? null,
    ts: nowIso(),
  };
};
