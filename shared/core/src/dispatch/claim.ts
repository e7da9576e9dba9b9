import fs from 'node:fs';
import { ConflictError, HeldError } from '../errors/errors.js';
import { openStateFile } from '../fsx/safe-open.js';
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
import { writeStatus } from '../status/write-status.js';
import { nowIso } from '../time/clock.js';
import { holderDetails, holderMessage } from './holder.js';
import { claimedStatus } from './claimed-status.js';
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

export { orderFollowups } from './order-followups.js';

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
  // The files this chain appends to are checked (and created owner-only) before anything
  // is written: a link or a foreign file there refuses the claim now, instead of after
  // the status already says starting.
  for (const file of [paths.history, paths.log]) fs.closeSync(openStateFile(file, 'append'));
  const fence = nextFence(paths, previous?.fence ?? 0);
  if (fence !== undefined) await claimWorktree(request.spec, { stateDir: path.dirname(paths.status), slug: paths.slug, fence });
  faultPoint('claim-before-fence');
  section.assertHeld();
  // The fence file, not the lock, decides: two processes that both think they hold
  // the lock (proper-lockfile#121) cannot both create fence N.
  if (fence === undefined || !takeFence(paths, fence) || fenceSuperseded(paths, fence)) {
    throw new ConflictError(`task ${paths.slug} was claimed by another process at the same moment`, { slug: paths.slug });
  }
  const runId = newId('r');
  const { status, followupId } = claimedStatus({
    slug: paths.slug,
    previous,
    spec: request.spec,
    prompt: request.prompt,
    ...(request.followup ? { followup: request.followup } : {}),
    fence,
    runId,
    token: newToken(),
    owner: selfIdentity(),
    now: nowIso(),
  });
  const diedUnnoticed = previous !== undefined && (previous.state === 'starting' || previous.state === 'running');
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
