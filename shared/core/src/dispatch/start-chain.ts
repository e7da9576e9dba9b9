import type { Config } from '../config/resolve-config.js';
import { FailureError } from '../errors/errors.js';
import { ensureStateDir } from '../fsx/state-dir.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { slugPaths, type SlugPaths } from '../paths/state-paths.js';
import { validateSlug } from '../paths/slug.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { claimSlug, type Claim } from './claim.js';
import { buildRunSpec } from './run-spec.js';
import { spawnSupervisor } from './spawn-supervisor.js';
import { waitForStatus } from './wait-for-status.js';
import { faultPoint } from '../faults/fault-point.js';

export interface StartRequest {
  slug: string;
  /** The first run's prompt; null runs the oldest pending follow-up. */
  prompt: string | null;
  followup?: Followup;
  worker?: string | null;
  workerCmd?: string | null;
  /** Who asked: dispatch, hb-tick, dispatch-continue (kept in history). */
  requestedBy: string;
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
  session_id: string | null;
  worktree: string;
  branch: string;
  log: string;
  followup_id: string | null;
  ts: string;
}

/** The run of this chain has started (or already ended) rather than still starting. */
const pastStarting = (fence: number) => (s: StatusRecord) => s.fence !== fence || s.state !== 'starting';

/**
 * Starts the supervisor of a chain that was just claimed and waits (at most `waitMs`)
 * until its first run is running or has failed to start.
 */
export const launchClaimed = async (stateDir: string, paths: SlugPaths, claim: Claim, waitMs: number): Promise<DispatchRecord> => {
  const spec = claim.status.spec as RunSpec;
  faultPoint('dispatch-before-supervisor');
  spawnSupervisor(stateDir, paths, claim.fence);
  faultPoint('dispatch-after-supervisor');
  const { status, timedOut } = await waitForStatus(paths, pastStarting(claim.fence), waitMs);
  const current = status ?? claim.status;
  if (!timedOut && current.fence === claim.fence && current.outcome === 'start_failed') {
    throw new FailureError(`task ${paths.slug}: the worker did not start: ${current.reason ?? 'unknown reason'}`, 'start_failed', {
      slug: paths.slug,
      run_id: current.run_id,
      log: paths.log,
    });
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
    session_id: current.session_id,
    worktree: spec.worktree,
    branch: spec.branch,
    log: paths.log,
    followup_id: claim.status.followup_id,
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
  const spec = buildRunSpec(config, slug, request.worker, request.workerCmd);
  const stateDir = config.stateDir;
  ensureStateDir(stateDir);
  const paths = slugPaths(stateDir, slug);
  const claim = await withCriticalSection(paths.lock, (section) =>
    claimSlug(paths, { spec, prompt: request.prompt, followup: request.followup, requestedBy: request.requestedBy }, section),
  );
  return launchClaimed(stateDir, paths, claim, options.waitMs);
};
