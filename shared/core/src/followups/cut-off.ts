import type { Followup, StatusRecord } from '../status/schema.js';

/**
 * A follow-up is done when the run that carried it ended and said so. A run that died
 * with its supervisor (killed, its host gone, its lease lost) never said so: its
 * follow-up goes back to the head of the queue, marked `cut_off_at`, and the next run
 * takes it before anything else. So a follow-up is carried out to its end once, however
 * many hosts or supervisors die under it; the cost is that a run cut off near its end
 * may redo some of its work.
 */

/** States in which the last chain's run is known to have ended without recording its end. */
const DIED = new Set(['starting', 'running', 'worker_gone']);

/** A follow-up sent back to the head of the queue by a run that did not finish it. */
export const requeued = (id: string, prompt: string, at: string, clientKey?: string): Followup => ({
  id,
  prompt,
  mode: 'queue',
  queued_at: at,
  cut_off_at: at,
  ...(clientKey ? { client_key: clientKey } : {}),
});

/**
 * The status with the follow-up it carries (`followup_id`) put back at the head of its
 * queue, carried no more; undefined when it carries none, or that one is queued already.
 * For a run that will not finish it: one that never started (the chain stopped or failed
 * first), or one cut off (a lost lease, a supervisor that failed).
 */
export const putBackCarried = (status: StatusRecord, at: string): StatusRecord | undefined => {
  const id = status.followup_id;
  if (!id || status.prompt === null || status.followups.some((f) => f.id === id)) return undefined;
  const key = status.client_keys?.find((k) => k.followup_id === id)?.key;
  return { ...status, followups: [requeued(id, status.prompt, at, key), ...status.followups], followup_id: null };
};

/**
 * The follow-up the task's last chain was carrying when it died, to put back at the head
 * of the queue; undefined when that chain ran the task's own prompt, recorded its end, or
 * the follow-up is queued already.
 */
export const cutOffFollowup = (previous: StatusRecord | undefined, now: string): Followup | undefined =>
  previous && DIED.has(previous.state) ? putBackCarried(previous, now)?.followups[0] : undefined;

/**
 * The heartbeat's next run takes the queue's head instead of the task's own prompt: a run
 * was cut off (it waits at the head), or the task's prompt already ended ok and only
 * follow-ups are left (a chain released with its queue: a shutdown, a lost lease).
 */
export const queueRunsFirst = (status: StatusRecord | undefined): boolean => {
  if (status === undefined) return false;
  if (status.followups[0]?.cut_off_at != null || cutOffFollowup(status, '') !== undefined) return true;
  // (A limited status written before cut_off_at existed still resumes its prompt.)
  return status.followups.length > 0 && (status.outcome === 'limited' || (status.state === 'exited' && status.outcome === 'ok'));
};
