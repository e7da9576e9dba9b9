import type { Config } from '../config/resolve-config.js';
import { ConflictError, FailureError } from '../errors/errors.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import type { Task } from '../tasks/task.js';
import { refuseIfLimited } from '../dispatch/refuse-if-limited.js';
import { ensureStateDir } from '../fsx/state-dir.js';
import { HISTORY_EVENTS } from '../history/events.js';
import { newId } from '../ids/new-id.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';
import { validateSlug } from '../paths/slug.js';
import { deriveDispatchState } from '../status/dispatch-state.js';
import type { Followup } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { claimSlug, orderFollowups, type Claim } from '../dispatch/claim.js';
import { holderDetails, holderMessage } from '../dispatch/holder.js';
import { buildRunSpec } from '../dispatch/run-spec.js';
import { launchClaimed, type DispatchRecord } from '../dispatch/start-chain.js';
import { faultPoint } from '../faults/fault-point.js';
import { knownClientKey, rememberClientKey } from './client-keys.js';

export interface FollowupRequest {
  slug: string;
  prompt: string;
  mode: 'queue' | 'interrupt';
  graceMs?: number;
  /**
   * The worker for a new chain, given the last chain's worker name (to resume its
   * session). Never the last chain's command: what runs comes from the operator.
   */
  workerFor: (previousWorker: string | null) => WorkerChoice;
  /** The task file, when there is one (its budget counts for a new chain). */
  task?: Task;
  /** Start a new chain even though the worker's account is limited. */
  force?: boolean;
  /** The sender's key: a second send with it returns the first one's follow-up, queued once. */
  clientKey?: string;
}

/** Follow-ups wait in the status file, rewritten whole on every change: keep it small. */
export const MAX_QUEUED_FOLLOWUPS = 100;

export interface FollowupRecord {
  type: 'followup';
  slug: string;
  result: 'queued' | 'interrupted' | 'started' | 'timeout' | 'duplicate';
  followup_id: string;
  mode: 'queue' | 'interrupt';
  /** 1 = runs next. */
  position: number | null;
  /** The run that is current now (queued, interrupted) or that was started. */
  run_id: string | null;
  ts: string;
  started?: DispatchRecord;
}

type Decision =
  | { kind: 'queued'; position: number; runId: string | null }
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'duplicate'; followupId: string; position: number | null; runId: string | null };

/**
 * Delivers a follow-up to a task's worker, never beside it. Inside the critical
 * section: if a supervisor owns the task, the follow-up joins its queue (an interrupt
 * goes first and asks the supervisor to stop the current run); if nothing runs, a new
 * chain is claimed and its first run is the oldest pending follow-up. Because the
 * supervisor takes its next follow-up (or releases the task) under the same lock, a
 * follow-up cannot fall between "queue empty" and "supervisor gone".
 */
export const sendFollowup = async (store: Store, config: Config, request: FollowupRequest, options: { waitMs: number }): Promise<FollowupRecord> => {
  const slug = validateSlug(request.slug);
  const stateDir = config.stateDir;
  ensureStateDir(stateDir);
  await store.prepare({ write: true });
  const followup: Followup = {
    id: newId('f'),
    prompt: request.prompt,
    mode: request.mode,
    queued_at: nowIso(),
    ...(request.graceMs !== undefined ? { grace_ms: request.graceMs } : {}),
    ...(request.clientKey !== undefined ? { client_key: request.clientKey } : {}),
  };

  let choice: WorkerChoice | undefined;
  const decision = await store.withTask(slug, async (section): Promise<Decision> => {
    const status = section.status;
    // A retry of a send whose answer was lost: the first one stands, queued once.
    const known = request.clientKey === undefined ? undefined : knownClientKey(status, request.clientKey);
    if (known) {
      const index = status?.followups.findIndex((f) => f.id === known.followup_id) ?? -1;
      return { kind: 'duplicate', followupId: known.followup_id, position: index >= 0 ? index + 1 : status?.followup_id === known.followup_id ? 0 : null, runId: status?.run_id ?? null };
    }
    const state = status ? deriveDispatchState(status) : undefined;
    if (status && state === 'orphaned') {
      throw new ConflictError(holderMessage(slug, status, state), { slug, holder: holderDetails(status, state) });
    }
    const history = (position: number | null, runId: string | null) =>
      section.history({ event: HISTORY_EVENTS.followupQueued, followup_id: followup.id, prompt: followup.prompt, mode: followup.mode, position, run_id: runId });
    if (status && status.followups.length >= MAX_QUEUED_FOLLOWUPS) {
      throw new FailureError(`task ${slug} already has ${status.followups.length} follow-ups queued (the limit is ${MAX_QUEUED_FOLLOWUPS}); wait for some to run, or drop some`, 'queue_full', { slug });
    }
    if (status && (state === 'starting' || state === 'running')) {
      const followups = orderFollowups([...status.followups, followup]);
      section.assertHeld();
      await section.write({
        ...status,
        followups,
        ...(request.clientKey !== undefined ? { client_keys: rememberClientKey(status.client_keys, request.clientKey, followup.id) } : {}),
        interrupt_requested: request.mode === 'interrupt' ? followup.id : status.interrupt_requested,
      });
      faultPoint('continue-after-queue');
      const position = followups.findIndex((f) => f.id === followup.id) + 1;
      history(position, status.run_id);
      if (request.mode === 'interrupt') {
        section.history({ event: HISTORY_EVENTS.interruptRequested, followup_id: followup.id, run_id: status.run_id });
      }
      return { kind: 'queued', position, runId: status.run_id };
    }
    // Nothing runs: a new chain. By default on the same agent as before (the session to
    // resume is its), but what runs comes from the operator, never from the state file.
    choice = request.workerFor(status?.spec?.worker ?? null);
    const spec = buildRunSpec(config, slug, choice, null, request.task);
    if (!request.force) await refuseIfLimited(store, slug, spec);
    const pending = status?.followups.length ?? 0;
    history(pending + 1, null);
    return { kind: 'claimed', claim: await claimSlug(section, { spec, prompt: null, followup, requestedBy: 'dispatch-continue' }, { stateDir, log: runLogPath(stateDir, slug) }) };
  });

  const base = { type: 'followup' as const, slug, followup_id: followup.id, mode: request.mode, ts: nowIso() };
  if (decision.kind === 'duplicate') return { ...base, followup_id: decision.followupId, result: 'duplicate', position: decision.position, run_id: decision.runId };
  if (decision.kind === 'queued') {
    return { ...base, result: request.mode === 'interrupt' ? 'interrupted' : 'queued', position: decision.position, run_id: decision.runId };
  }
  const started = await launchClaimed(store, stateDir, decision.claim, options.waitMs, choice?.from ?? 'default');
  const position = decision.claim.status.followup_id === followup.id ? 0 : decision.claim.status.followups.findIndex((f) => f.id === followup.id) + 1;
  return { ...base, result: started.result === 'timeout' ? 'timeout' : 'started', position, run_id: started.run_id, started };
};
