import fs from 'node:fs';
import { ConflictError, HeldError } from '../errors/errors.js';
import { openStateFile } from '../fsx/safe-open.js';
import { HISTORY_EVENTS } from '../history/events.js';
import { newId, newToken } from '../ids/new-id.js';
import { selfIdentity } from '../liveness/identity.js';
import { hostId } from '../liveness/host-id.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { holderDetails, holderMessage } from './holder.js';
import { claimedStatus, diedUnnoticed } from './claimed-status.js';
import { claimWorktree } from './worktree-claim.js';
import { faultPoint } from '../faults/fault-point.js';
import type { TaskSection } from '../store/store.js';

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
 * Inside the task's critical section: refuse if anything still holds the task (a live
 * owner or an orphaned worker), else take the next fence and write `starting`. A corrupt
 * status never gets here (the section throws StatusFileError): an unknown state is never
 * read as "no worker".
 */
export const claimSlug = async (section: TaskSection, request: ClaimRequest, local: { stateDir: string; log: string }): Promise<Claim> => {
  const slug = section.slug;
  const previous = section.status;
  if (previous) {
    const state = deriveDispatchState(previous);
    if (isHolding(state)) {
      throw new ConflictError(holderMessage(slug, previous, state), { slug, holder: holderDetails(previous, state) });
    }
    if (previous.held && request.respectHold) {
      throw new HeldError(`task ${slug} is held (by ${previous.held.by} at ${previous.held.at}); release it with dispatch-stop --release ${slug}`, { slug, held: previous.held });
    }
  }
  // The log this chain appends to is checked (and created owner-only) before anything is
  // written: a link or a foreign file there refuses the claim now, not once it says starting.
  fs.closeSync(openStateFile(local.log, 'append'));
  faultPoint('claim-before-fence');
  // The store decides the fence: the file store by exclusive-create fence files (two
  // processes that both think they hold the lock cannot both take fence N), PostgreSQL
  // by the task's row lock.
  const fence = await section.takeFence();
  if (fence === undefined) throw new ConflictError(`task ${slug} was claimed by another process at the same moment`, { slug });
  await claimWorktree(request.spec, { stateDir: local.stateDir, slug, fence });
  const runId = newId('r');
  const { status, followupId, cutOff } = claimedStatus({
    slug,
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
  const died = diedUnnoticed(previous);
  faultPoint('claim-after-fence');
  section.assertHeld();
  const written = await section.write(status);
  faultPoint('claim-after-write');
  if (previous && died) {
    // The previous chain died without anyone noticing; say so before the new one.
    section.history({ event: HISTORY_EVENTS.reaped, run_id: previous.run_id, from: previous.state, to: 'worker_gone', by: request.requestedBy });
  }
  const lastHost = previous?.owner?.host;
  if (previous && (died || previous.state === 'worker_gone') && lastHost && lastHost !== hostId()) {
    // Several hosts: what the dead holder had not pushed stays behind on its host.
    section.history({
      event: HISTORY_EVENTS.takenOver,
      from_host: lastHost,
      run_id: previous.run_id,
      note: `host ${lastHost} died or was cut off while running ${slug}: work it had not pushed is lost to the fleet; this chain starts from the shared branch`,
    });
  }
  if (cutOff) section.history({ event: HISTORY_EVENTS.followupRequeued, followup_id: cutOff.id, run_id: previous?.run_id ?? null });
  if (previous?.held) section.history({ event: HISTORY_EVENTS.holdReleased, by: request.requestedBy, held_by: previous.held.by });
  if (request.prompt !== null) {
    section.history({ event: HISTORY_EVENTS.dispatchRequested, prompt: request.prompt, worker: request.spec.worker, requested_by: request.requestedBy });
  }
  section.history({ event: HISTORY_EVENTS.claimed, fence, run_id: runId, owner_pid: process.pid, requested_by: request.requestedBy, followup_id: followupId });
  return { status: written, fence, previous };
};
