import { execFileSync } from 'node:child_process';
import type { Config } from '../config/resolve-config.js';
import { UsageError } from '../errors/errors.js';
import { branchName, worktreePath } from '../paths/state-paths.js';
import type { RunSpec } from '../status/schema.js';
import type { Task } from '../tasks/task.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import { assertSafeWorktreePath } from '../worktree/assert-safe-worktree-path.js';

/**
 * `--base REF` as a commit, resolved in the main checkout (so `HEAD` is its HEAD; name a
 * branch, `--base task/other`, to start from another task). Fixed at claim time: the
 * supervisor starts the branch from exactly this commit.
 */
const resolveBase = (repo: string, ref: string): string => {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    throw new UsageError(`--base ${ref}: not a commit in ${repo} (a branch, tag or commit id, as git rev-parse understands it)`, { base: ref });
  }
};

/** A budget in the worker order: flag > task file > environment. */
const budget = (config: Config, task: Task | undefined) => {
  const cost = config.budgetFlag.maxCostUsd ?? task?.max_cost_usd ?? config.budgetEnv.maxCostUsd ?? null;
  const turns = config.budgetFlag.maxTurns ?? task?.max_turns ?? config.budgetEnv.maxTurns ?? null;
  return { max_cost_usd: cost, max_turns: turns };
};

/** What a chain will run, fixed at claim time from the config, the chosen worker, the task file and --base. */
export const buildRunSpec = (config: Config, slug: string, choice: WorkerChoice, base?: string | null, task?: Task): RunSpec => {
  const repo = config.repo();
  const worktree = worktreePath(config.worktreesDir, slug);
  // Refused here, before the claim, as well as by the supervisor before it creates anything.
  assertSafeWorktreePath(repo, worktree);
  return {
    worker: choice.worker,
    worker_cmd: choice.worker === 'command' ? choice.workerCmd : null,
    repo,
    worktree,
    branch: branchName(slug),
    ...(base ? { base: resolveBase(repo, base), base_ref: base } : {}),
    stall_ms: config.stallMs,
    max_run_ms: config.maxRunMs,
    grace_ms: config.graceMs,
    limit_backoff_ms: config.limitBackoffMs,
    on_event: config.onEvent ?? null,
    ...budget(config, task),
  };
};
