import type { LimitSignal } from './limit-signal.js';

/** A usage quota with no reset time is a long wait (hours), not a quick retry. */
const USAGE_FLOOR_MS = 60 * 60 * 1000;
/** However long limits repeat, look again at least this often. */
export const LIMIT_BACKOFF_CAP_MS = 6 * 60 * 60 * 1000;

/**
 * How long to wait before the account is tried again: the reset the agent reported,
 * else the delay it printed, else our backoff (doubling with each limit in a row,
 * capped; at least an hour for a used-up quota).
 */
export const limitWaitMs = (signal: LimitSignal, streak: number, backoffMs: number, now: number): number => {
  if (signal.resetsAtMs !== undefined) return Math.max(0, Math.round(signal.resetsAtMs - now));
  if (signal.retryAfterMs !== undefined) return Math.round(signal.retryAfterMs);
  const backoff = Math.min(LIMIT_BACKOFF_CAP_MS, backoffMs * 2 ** Math.max(0, streak - 1));
  return signal.kind === 'usage' ? Math.max(backoff, Math.min(USAGE_FLOOR_MS, LIMIT_BACKOFF_CAP_MS)) : backoff;
};
