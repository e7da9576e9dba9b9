import { bootId } from '../liveness/proc.js';
import { monoStamp, nowIso } from '../time/clock.js';
import { NOT_FAILURES, type Outcome, type RunState, type StatusRecord } from './schema.js';

/**
 * A status whose run has ended: the terminal state, why, when (wall clock and the
 * monotonic stamp cooldowns are measured from), and the failure count — reset by an ok
 * run, kept by an operator's stop, one more for any other end. The one way every tool records the end of a run.
 */
export const endRun = (
  status: StatusRecord,
  end: { state: Exclude<RunState, 'starting' | 'running'>; outcome: Outcome; reason: string | null },
  extra: Partial<StatusRecord> = {},
): StatusRecord => ({
  ...status,
  ...extra,
  state: end.state,
  outcome: end.outcome,
  reason: end.reason,
  ended_at: nowIso(),
  ended_mono: monoStamp(bootId()),
  failures: end.outcome === 'ok' ? 0 : NOT_FAILURES.includes(end.outcome) ? status.failures : status.failures + 1,
});
