import { execFileSync } from 'node:child_process';
import type { Config } from '../config/resolve-config.js';
import { UsageError } from '../errors/errors.js';
import { branchName, worktreePath } from '../paths/state-paths.js';
import type { RunSpec } from '../status/schema.js';
import { getAdapter } from '../workers/registry.js';
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

/** What a chain will run, fixed at claim time from the config and the request. */
export const buildRunSpec = (config: Config, slug: string, worker?: string | null, workerCmd?: string | null, base?: string | null): RunSpec => {
  const name = worker ?? (workerCmd ? 'command' : config.worker);
  getAdapter(name); // an unknown worker name is a usage error, before anything is claimed
  const cmd = workerCmd ?? config.workerCmd ?? null;
  if (name === 'command' && !cmd) {
    throw new UsageError('the command worker needs a program: pass --worker-cmd "PROGRAM ARGS..." or set TASK_MANAGER_WORKER_CMD');
  }
  const repo = config.repo();
  const worktree = worktreePath(config.worktreesDir, slug);
  // Refused here, before the claim, as well as by the supervisor before it creates anything.
  assertSafeWorktreePath(repo, worktree);
  return {
    worker: name,
    worker_cmd: name === 'command' ? cmd : null,
    repo,
    worktree,
    branch: branchName(slug),
    ...(base ? { base: resolveBase(repo, base), base_ref: base } : {}),
    stall_ms: config.stallMs,
    max_run_ms: config.maxRunMs,
    grace_ms: config.graceMs,
  };
};
