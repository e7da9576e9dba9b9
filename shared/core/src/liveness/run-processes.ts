import type { Identity } from './identity.js';
import { bootId, environHas, listProcesses, type ProcStat } from './proc.js';

export const RUN_TOKEN_ENV = 'TASK_MANAGER_RUN_TOKEN';

/** What is known about one run's processes: the worker (its pid is the group id), its supervisor, and the token. */
export interface RunHandle {
  worker: Identity | null;
  token: string | null;
  /** The supervisor (or the claimer): only its boot id is used. */
  owner?: Identity | null;
}

/**
 * The live processes that belong to a run: those carrying the run's token in their
 * environment (`TASK_MANAGER_RUN_TOKEN=<token>`, inherited by every descendant, even
 * one that left the group with setsid). The token is the proof, not the group: a
 * process group id, a pid and a start time can be read by anyone in /proc and written
 * into a status file, while /proc/<pid>/environ can be read only by the process's
 * owner and a token cannot be planted in a process that is already running. So a
 * process is never matched for sharing a recorded group or pid alone, a run without a
 * token has no processes, and a run recorded under another boot has none either.
 */
export const runProcesses = (run: RunHandle): ProcStat[] => {
  if (!run.token) return [];
  const boot = bootId();
  for (const identity of [run.worker, run.owner]) if (identity && identity.boot_id !== boot) return [];
  const entry = `${RUN_TOKEN_ENV}=${run.token}`;
  return listProcesses().filter((p) => p.state !== 'Z' && p.pid !== process.pid && environHas(p.pid, entry));
};

export const runIsAlive = (run: RunHandle): boolean => runProcesses(run).length > 0;
