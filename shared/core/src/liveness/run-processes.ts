import type { Identity } from './identity.js';
import { isAlive } from './identity.js';
import { environHas, listProcesses, type ProcStat } from './proc.js';

export const RUN_TOKEN_ENV = 'TASK_MANAGER_RUN_TOKEN';

/** What is known about one run's processes: the worker (its pid is the group id) and the token. */
export interface RunHandle {
  worker: Identity | null;
  token: string | null;
}

const startedNotBefore = (stat: ProcStat, identity: Identity): boolean => {
  try {
    return BigInt(stat.startTime) >= BigInt(identity.start_time);
  } catch {
    return false;
  }
};

/**
 * The live processes that belong to a run: members of the worker's process group,
 * and any process carrying the run's token (a grandchild that left the group with
 * setsid still inherited the environment). A process that merely reuses a recorded
 * pid matches neither, so it is never signalled.
 */
export const runProcesses = (run: RunHandle): ProcStat[] => {
  const all = listProcesses().filter((p) => p.state !== 'Z');
  const worker = run.worker;
  const leaderAlive = worker ? isAlive(worker) : false;
  const leaderPidFree = worker ? !all.some((p) => p.pid === worker.pid) : false;
  const tokenEntry = run.token ? `${RUN_TOKEN_ENV}=${run.token}` : undefined;
  return all.filter((p) => {
    if (p.pid === process.pid) return false;
    if (worker && p.pgid === worker.pid && (leaderAlive || leaderPidFree) && startedNotBefore(p, worker)) return true;
    return tokenEntry !== undefined && environHas(p.pid, tokenEntry);
  });
};

export const runIsAlive = (run: RunHandle): boolean => runProcesses(run).length > 0;
