import type { Config } from '../config/resolve-config.js';
import { UsageError } from '../errors/errors.js';
import { branchName, worktreePath } from '../paths/state-paths.js';
import type { RunSpec } from '../status/schema.js';
import { getAdapter } from '../workers/registry.js';

/** What a chain will run, fixed at claim time from the config and the request. */
export const buildRunSpec = (config: Config, slug: string, worker?: string | null, workerCmd?: string | null): RunSpec => {
  const name = worker ?? (workerCmd ? 'command' : config.worker);
  getAdapter(name); // an unknown worker name is a usage error, before anything is claimed
  const cmd = workerCmd ?? config.workerCmd ?? null;
  if (name === 'command' && !cmd) {
    throw new UsageError('the command worker needs a program: pass --worker-cmd "PROGRAM ARGS..." or set TASK_MANAGER_WORKER_CMD');
  }
  return {
    worker: name,
    worker_cmd: name === 'command' ? cmd : null,
    repo: config.repo(),
    worktree: worktreePath(config.worktreesDir, slug),
    branch: branchName(slug),
    stall_ms: config.stallMs,
    max_run_ms: config.maxRunMs,
    grace_ms: config.graceMs,
  };
};
