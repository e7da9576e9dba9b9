import type { Config } from '../config/resolve-config.js';
import { branchName, worktreePath } from '../paths/state-paths.js';
import type { RunSpec } from '../status/schema.js';
import type { WorkerChoice } from '../workers/choose-worker.js';

/** What a chain will run, fixed at claim time from the config and the chosen worker. */
export const buildRunSpec = (config: Config, slug: string, choice: WorkerChoice): RunSpec => ({
  worker: choice.worker,
  worker_cmd: choice.worker === 'command' ? choice.workerCmd : null,
  repo: config.repo(),
  worktree: worktreePath(config.worktreesDir, slug),
  branch: branchName(slug),
  stall_ms: config.stallMs,
  max_run_ms: config.maxRunMs,
  grace_ms: config.graceMs,
});
