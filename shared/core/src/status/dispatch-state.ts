import { isAlive } from '../liveness/identity.js';
import { hostId } from '../liveness/host-id.js';
import { runIsAlive } from '../liveness/run-processes.js';
import type { RunState, StatusRecord } from './schema.js';

/** The status corrected by a liveness check: what watch, reap and hb-tick report. */
export type DispatchState = RunState | 'orphaned';

/**
 * `running` whose supervisor died is `orphaned` while the run's processes live (it
 * still blocks new workers) and `worker_gone` when they are dead too. Terminal states
 * are taken as written, with no /proc scan, so a snapshot of many dispatches is cheap.
 */
export const deriveDispatchState = (status: StatusRecord): DispatchState => {
  if (status.state !== 'starting' && status.state !== 'running') return status.state;
  // Another host's chain, on a store with leases: its processes are not ours to see, its
  // lease tells. An expired lease means its supervisor stopped the run (self-fencing) or
  // died, and the run died with it (docs/store.md, "Several hosts").
  const host = status.owner?.host;
  if (status.lease && host !== undefined && host !== hostId()) return status.lease.live ? status.state : 'worker_gone';
  if (isAlive(status.owner)) return status.state;
  return runIsAlive({ worker: status.worker, token: status.token, owner: status.owner }) ? 'orphaned' : 'worker_gone';
};

/** States in which something still lives for the task, so nothing may start beside it. */
export type HoldingState = 'starting' | 'running' | 'orphaned';

export const isHolding = (state: DispatchState | undefined): state is HoldingState =>
  state === 'starting' || state === 'running' || state === 'orphaned';
