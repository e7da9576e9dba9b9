import type { Config } from '../config/resolve-config.js';
import { FailureError } from '../errors/errors.js';
import { ensureStateDir } from '../fsx/ensure-state-dir.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { slugPaths, type SlugPaths } from '../paths/state-paths.js';
import { validateSlug } from '../paths/slug.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { claimSlug, type Claim } from './claim.js';
import { buildRunSpec } from './run-spec.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import { spawnSupervisor } from './spawn-supervisor.js';
import { waitForStatus } from './wait-for-status.js';
import { lastLogLine } from './last-log-line.js';
import { faultPoint } from '../faults/fault-point.js';

export interface StartRequest {
  slug: string;
  /** The first run's prompt; null runs the oldest pending follow-up. */
  prompt: string | null;
  followup?: Followup;
  /** Chosen and validated before anything is claimed (workerForTask). */
  choice: WorkerChoice;
  /** Who asked: dispatch, hb-tick, dispatch-continue (kept in history). */
  requestedBy: string;
  /** hb-tick: a held task is refused (HeldError), not started. */
  respectHold?: boolean;
}

export interface DispatchRecord {
  type: 'dispatch';
  slug: string;
  result: 'started' | 'timeout';
  state: string;
  run_id: string | null;
  fence: number;
  supervisor_pid: number | null;
  worker_pid: number | null;
  worker: string;
  /** Which setting chose the worker: a flag, the task file, the environment, ... */
  worker_from: string;
  session_id: string | null;
  worktree: string;
  branch: string;
  log: string;
  followup_id: string | null;
  /** This start lifted an operator's hold (dispatch-stop). */
  hold_released?: true;
  ts: string;
}

/** The run of this chain has started (or already ended) rather than still starting. */
const pastStarting = (fence: number) => (s: StatusRecord) => s.fence !== fence || s.state !== 'starting';

/**
 * Starts the supervisor of a chain that was just claimed and waits (at most `waitMs`)
 * until its first run is running or has failed to start.
 */
export const launchClaimed = async (stateDir: string, paths: SlugPaths, claim: Claim, waitMs: number, workerFrom: string): Promise<DispatchRecord> => {
  const spec = claim.status.spec as RunSpec;
  faultPoint('dispatch-before-supervisor');
  const supervisor = spawnSupervisor(stateDir, paths, claim.fence);
  faultPoint('dispatch-after-supervisor');
  const { status, timedOut, gaveUp } = await waitForStatus(paths, pastStarting(claim.fence), waitMs, supervisor.exited);
  const current = status ?? claim.status;
  const startFailed = (reason: string) =>
    new FailureError(`task ${paths.slug}: the worker did not start: ${reason}`, 'start_failed', { slug: paths.slug, run_id: current.run_id, log: paths.log });
  if (!timedOut && current.fence === claim.fence && current.outcome === 'start_failed') throw startFailed(current.reason ?? 'unknown reason');
  if (gaveUp && current.fence === claim.fence && current.state === 'starting') {
    throw startFailed(`its supervisor exited before the worker ran (${lastLogLine(paths.log) ?? `see ${paths.log}`})`);
  }
  return {
    type: 'dispatch',
    slug: paths.slug,
    result: timedOut ? 'timeout' : 'started',
    state: current.state,
    run_id: current.run_id,
    fence: claim.fence,
    supervisor_pid: current.owner?.pid ?? null,
    worker_pid: current.worker?.pid ?? null,
    worker: spec.worker,
    worker_from: workerFrom,
    session_id: current.session_id,
    worktree: spec.worktree,
    branch: spec.branch,
    log: paths.log,
    followup_id: claim.status.followup_id,
    ...(claim.previous?.held ? { hold_released: true as const } : {}),
    ts: nowIso(),
  };
};

/**
 * Claims the slug and starts a supervisor for a new chain of runs, then waits (at most
 * `waitMs`) until the first run is running or has failed to start. Throws ConflictError
 * when the task is held, FailureError when the worker could not be started.
 */
export const startChain = async (config: Config, request: StartRequest, options: { waitMs: number }): Promise<DispatchRecord> => {
  const slug = validateSlug(request.slug);
  const spec = buildRunSpec(config, slug, request.choice);
  const stateDir = config.stateDir;
  ensureStateDir(stateDir);
  const paths = slugPaths(stateDir, slug);
  const claim = await withCriticalSection(paths.lock, (section) =>
    claimSlug(paths, { spec, prompt: request.prompt, followup: request.followup, requestedBy: request.requestedBy, respectHold: request.respectHold ?? false }, section),
  );
  return launchClaimed(stateDir, paths, claim, options.waitMs, request.choice.from);
};
