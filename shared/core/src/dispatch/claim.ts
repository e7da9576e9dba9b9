import { ConflictError, HeldError } from '../errors/errors.js';
import { HISTORY_EVENTS } from '../history/events.js';
import { appendHistory } from '../history/append-history.js';
import { newId, newToken } from '../ids/new-id.js';
import { selfIdentity } from '../liveness/identity.js';
import { fenceSuperseded, nextFence, takeFence } from '../lock/fence.js';
import type { Section } from '../lock/critical-section.js';
import type { SlugPaths } from '../paths/state-paths.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import { readStatusIfExists } from '../status/read-status.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { freshRunFields } from '../status/fresh-run.js';
import { writeStatus } from '../status/write-status.js';
import { nowIso } from '../time/clock.js';
import { holderDetails, holderMessage } from './holder.js';
import { claimWorktree } from './worktree-claim.js';
import path from 'node:path';
import { faultPoint } from '../faults/fault-point.js';

export interface ClaimRequest {
  spec: RunSpec;
  /** The first run's prompt; null takes the oldest pending follow-up instead. */
  prompt: string | null;
  /** A follow-up to append to the queue before the chain starts (dispatch-continue). */
  followup?: Followup;
  requestedBy: string;
  /** The heartbeat never starts a held task; an operator's explicit dispatch lifts the hold. */
  respectHold?: boolean;
}

export interface Claim {
  status: StatusRecord;
  fence: number;
  /** The previous status, if any (for the caller's record). */
  previous: StatusRecord | undefined;
}

/** Interrupt follow-ups run before queued ones; each group keeps its order. */
export const orderFollowups = (list: Followup[]): Followup[] => [
  ...list.filter((f) => f.mode === 'interrupt'),
  ...list.filter((f) => f.mode !== 'interrupt'),
];

/**
 * Inside the critical section: refuse if anything still holds the task (a live owner
 * or an orphaned worker), else take the next fence and write `starting`. A corrupt
 * status throws (StatusFileError): an unknown state is never read as "no worker".
 */
export const claimSlug = async (paths: SlugPaths, request: ClaimRequest, section: Section): Promise<Claim> => {
  const previous = readStatusIfExists(paths.status);
  if (previous) {
    const state = deriveDispatchState(previous);
    if (isHolding(state)) {
      throw new ConflictError(holderMessage(paths.slug, previous, state), { slug: paths.slug, holder: holderDetails(previous, state) });
    }
    if (previous.held && request.respectHold) {
      throw new HeldError(`task ${paths.slug} is held (by ${previous.held.by} at ${previous.held.at}); release it with dispatch-stop --release ${paths.slug}`, { slug: paths.slug, held: previous.held });
    }
  }
  const fence = nextFence(paths, previous?.fence ?? 0);
  if (fence !== undefined) await claimWorktree(request.spec, { stateDir: path.dirname(paths.status), slug: paths.slug, fence });
  faultPoint('claim-before-fence');
  section.assertHeld();
  // The fence file, not the lock, decides: two processes that both think they hold
  // the lock (proper-lockfile#121) cannot both create fence N.
  if (fence === undefined || !takeFence(paths, fence) || fenceSuperseded(paths, fence)) {
    throw new ConflictError(`task ${paths.slug} was claimed by another process at the same moment`, { slug: paths.slug });
  }
  let queue = previous?.followups ?? [];
  if (request.followup) queue = orderFollowups([...queue, request.followup]);
  let prompt = request.prompt;
  let followupId: string | null = null;
  if (prompt === null) {
    const [first, ...rest] = queue;
    if (!first) throw new Error('claimSlug: no prompt and no follow-up to run');
    prompt = first.prompt;
    followupId = first.id;
    queue = rest;
  }
  const diedUnnoticed = previous !== undefined && (previous.state === 'starting' || previous.state === 'running');
  const now = nowIso();
  const runId = newId('r');
  const status: StatusRecord = {
    type: 'status',
    version: 1,
    slug: paths.slug,
    state: 'starting',
    fence,
    run_id: runId,
    attempt: previous?.attempt ?? 0,
    // A chain that died unnoticed (running, but nobody alive) counts as a failed run.
    failures: (previous?.failures ?? 0) + (diedUnnoticed ? 1 : 0),
    token: newToken(),
    owner: selfIdentity(),
    ...freshRunFields(),
    spec: request.spec,
    prompt,
    session_id: previous?.session_id ?? null,
    created_at: previous?.created_at ?? now,
    updated_at: now,
    followups: queue,
    followup_id: followupId,
    cleared_at: previous?.cleared_at ?? null,
    held: null,
    stop_requested: null,
  };
  faultPoint('claim-after-fence');
  section.assertHeld();
  const written = writeStatus(paths.status, status);
  faultPoint('claim-after-write');
  if (previous && diedUnnoticed) {
    // The previous chain died without anyone noticing; say so before the new one.
    appendHistory(paths.history, { event: HISTORY_EVENTS.reaped, slug: paths.slug, run_id: previous.run_id, from: previous.state, to: 'worker_gone', by: request.requestedBy });
  }
  if (previous?.held) {
    appendHistory(paths.history, { event: HISTORY_EVENTS.holdReleased, slug: paths.slug, by: request.requestedBy, held_by: previous.held.by });
  }
  if (request.prompt !== null) {
    appendHistory(paths.history, { event: HISTORY_EVENTS.dispatchRequested, slug: paths.slug, prompt: request.prompt, worker: request.spec.worker, requested_by: request.requestedBy });
  }
  appendHistory(paths.history, { event: HISTORY_EVENTS.claimed, slug: paths.slug, fence, run_id: runId, owner_pid: process.pid, requested_by: request.requestedBy, followup_id: followupId });
  return { status: written, fence, previous };
};
