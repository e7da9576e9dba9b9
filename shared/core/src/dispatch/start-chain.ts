import type { Config } from '../config/resolve-config.js';
import { FailureError } from '../errors/errors.js';
import { ensureStateDir } from '../fsx/state-dir.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';
import { validateSlug } from '../paths/slug.js';
import type { Followup, RunSpec, StatusRecord } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { claimSlug, type Claim } from './claim.js';
import { buildRunSpec } from './run-spec.js';
import { refuseIfLimited } from './refuse-if-limited.js';
import type { Task } from '../tasks/task.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import { spawnSupervisor } from './spawn-supervisor.js';
import { waitForStatus } from './wait-for-status.js';
import { lastLogLine } from './last-log-line.js';
import { faultPoint } from '../faults/fault-point.js';
import type { WorktreeSetup } from '../worktree/worktree-setup.js';

export interface StartRequest {
  slug: string;
  /** The first run's prompt; null runs the oldest pending follow-up. */
  prompt: string | null;
  followup?: Followup;
  /** Chosen and validated before anything is claimed (workerForTask). */
  choice: WorkerChoice;
  /** The task file, when there is one: its budget counts (max_cost_usd, max_turns). */
  task?: Task;
  /** Start even though the worker's account is limited. */
  force?: boolean;
  /** Who asked: dispatch, hb-tick, dispatch-continue (kept in history). */
  requestedBy: string;
  /** hb-tick: a held task is refused (HeldError), not started. */
  respectHold?: boolean;
  /** dispatch --base REF: where a new task branch starts. */
  base?: string | null;
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
  /** How the worktree was prepared, with its warnings (once the supervisor got that far). */
  worktree_setup: WorktreeSetup | null;
  ts: string;
}

/** The run of this chain has started (or already ended) rather than still starting. */
const pastStarting = (fence: number) => (s: StatusRecord) => s.fence !== fence || s.state !== 'starting';

/**
 * Starts the supervisor of a chain that was just claimed and waits (at most `waitMs`)
 * until its first run is running or has failed to start.
 */
export const launchClaimed = async (store: Store, stateDir: string, claim: Claim, waitMs: number, workerFrom: string): Promise<DispatchRecord> => {
  const spec = claim.status.spec as RunSpec;
  const paths = { slug: claim.status.slug, log: runLogPath(stateDir, claim.status.slug) };
  faultPoint('dispatch-before-supervisor');
  const supervisor = spawnSupervisor(stateDir, store.spec, paths, claim.fence);
  faultPoint('dispatch-after-supervisor');
  const { status, timedOut, gaveUp } = await waitForStatus(store, paths.slug, pastStarting(claim.fence), waitMs, supervisor.exited);
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
    worktree_setup: current.fence === claim.fence ? (current.worktree_setup ?? null) : null,
    ts: nowIso(),
  };
};

/**
 * Claims the slug and starts a supervisor for a new chain of runs, then waits (at most
 * `waitMs`) until the first run is running or has failed to start. Throws ConflictError
 * when the task is held, FailureError when the worker could not be started.
 */
export const startChain = async (store: Store, config: Config, request: StartRequest, options: { waitMs: number }): Promise<DispatchRecord> => {
  const slug = validateSlug(request.slug);
  const spec = buildRunSpec(config, slug, request.choice, request.base, request.task);
  if (!request.force) await refuseIfLimited(store, slug, spec);
  const stateDir = config.stateDir;
  // The run's log lives in the local state directory whatever the store.
  ensureStateDir(stateDir);
  await store.prepare({ write: true });
  const claim = await store.withTask(slug, (section) =>
    claimSlug(section, { spec, prompt: request.prompt, followup: request.followup, requestedBy: request.requestedBy, respectHold: request.respectHold ?? false }, { stateDir, log: runLogPath(stateDir, slug) }),
  );
  return launchClaimed(store, stateDir, claim, options.waitMs, request.choice.from);
};
