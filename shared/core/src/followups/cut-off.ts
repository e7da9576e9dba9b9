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
 * The follow-up the task's last chain was carrying when it died, to put back at the head
 * of the queue; undefined when that chain ran the task's own prompt, recorded its end, or
 * the follow-up is queued already.
 */
export const cutOffFollowup = (previous: StatusRecord | undefined, now: string): Followup | undefined => {
  if (!previous?.followup_id || previous.prompt === null || !DIED.has(previous.state)) return undefined;
  const id = previous.followup_id;
  if (previous.followups.some((f) => f.id === id)) return undefined;
  const key = previous.client_keys?.find((k) => k.followup_id === id)?.key;
  return requeued(id, previous.prompt, now, key);
};

/** The next run should take the queue's head, not the task's prompt: it was cut off. */
export const resumesCutOff = (status: StatusRecord | undefined): boolean =>
  status !== undefined && (status.followups[0]?.cut_off_at != null || cutOffFollowup(status, '') !== undefined);
