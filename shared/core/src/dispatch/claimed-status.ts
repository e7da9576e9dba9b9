import type { Identity } from '../liveness/identity.js';
import { freshRunFields } from '../status/fresh-run.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { orderFollowups } from './order-followups.js';
import { rememberClientKey } from '../followups/client-keys.js';
import { cutOffFollowup } from '../followups/cut-off.js';

export interface ClaimedStatusInput {
  slug: string;
  previous: StatusRecord | undefined;
  spec: RunSpec;
  /** The first run's prompt; null takes the oldest pending follow-up instead. */
  prompt: string | null;
  followup?: Followup;
  fence: number;
  runId: string;
  token: string;
  owner: Identity;
  now: string;
}

/** A claim is allowed over a status that says starting or running only when nobody runs it. */
export const diedUnnoticed = (previous: StatusRecord | undefined): boolean => previous !== undefined && (previous.state === 'starting' || previous.state === 'running');

/**
 * The status a claim writes: `starting`, the new fence and run, what carries over from
 * the task's earlier chains (attempts, failures, session, queue, limit streak, money
 * spent), the follow-up a dead chain left unfinished (back at the head of the queue),
 * and the prompt — the one given, or the oldest pending follow-up. Pure.
 */
export const claimedStatus = (input: ClaimedStatusInput): { status: StatusRecord; followupId: string | null; cutOff: Followup | undefined } => {
  const { previous } = input;
  let queue = previous?.followups ?? [];
  // The follow-up a dead chain was carrying goes first: it was never finished.
  const cutOff = cutOffFollowup(previous, input.now);
  if (cutOff) queue = [cutOff, ...queue];
  if (input.followup) queue = orderFollowups([...queue, input.followup]);
  let prompt = input.prompt;
  let followupId: string | null = null;
  if (prompt === null) {
    const [first, ...rest] = queue;
    if (!first) throw new Error('claimedStatus: no prompt and no follow-up to run');
    prompt = first.prompt;
    followupId = first.id;
    queue = rest;
  }
  // A chain that died unnoticed (running, but nobody alive) counts as a failed run.
  const died = diedUnnoticed(previous);
  const status: StatusRecord = {
    type: 'status',
    version: 1,
    slug: input.slug,
    state: 'starting',
    fence: input.fence,
    run_id: input.runId,
    attempt: previous?.attempt ?? 0,
    failures: (previous?.failures ?? 0) + (died ? 1 : 0),
    token: input.token,
    owner: input.owner,
    ...freshRunFields(),
    spec: input.spec,
    prompt,
    session_id: previous?.session_id ?? null,
    created_at: previous?.created_at ?? input.now,
    updated_at: input.now,
    followups: queue,
    followup_id: followupId,
    cleared_at: previous?.cleared_at ?? null,
    // An explicit start lifts a hold (the caller refused it first if it had to).
    held: null,
    stop_requested: null,
    // A limit streak and the money spent carry over from chain to chain.
    limit: previous?.limit ?? null,
    cost_total_usd: previous?.cost_total_usd ?? null,
    client_keys: input.followup?.client_key ? rememberClientKey(previous?.client_keys, input.followup.client_key, input.followup.id) : (previous?.client_keys ?? null),
  };
  return { status, followupId, cutOff };
};
