import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';

const gitSync = (cwd: string, args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const stderrOf = (error: unknown): string => String((error as { stderr?: unknown }).stderr ?? '').trim();

const configIn = (cwd: string, commonDir: string, key: string, bool = false): string | undefined => {
  try {
    return gitSync(cwd, ['config', '--file', path.join(commonDir, 'config'), ...(bool ? ['--bool'] : []), key]);
  } catch {
    return undefined;
  }
};

const bareError = (cwd: string, gitDir: string) =>
  new FailureError(
    `${cwd} is in a bare repository (${gitDir}): the task tools need a non-bare checkout to make worktrees from; clone it (git clone ${gitDir} DIR) and run from DIR, or pass --repo DIR`,
    'bare_repository',
    { cwd, git_dir: gitDir },
  );

/** The failure of the first rev-parse: a bare repository, or no repository at all. */
const notARepository = (cwd: string, error: unknown): FailureError => {
  try {
    const [bare, gitDir] = gitSync(cwd, ['rev-parse', '--path-format=absolute', '--is-bare-repository', '--git-dir']).split('\n');
    if (bare === 'true') return bareError(cwd, gitDir ?? cwd);
  } catch {
    // not a repository at all: the message below
  }
  return new FailureError(
    `${cwd} is not inside a git repository's checkout (${stderrOf(error) || 'git rev-parse failed'}); run from a repository or pass --repo`,
    'not_a_repository',
    { cwd },
  );
};

/**
 * The main checkout of the repository `cwd` is in — from the main checkout itself or
 * from any of its linked worktrees (a task's own worktree included), so that every tool
 * finds the same state and worktrees directories wherever it runs, and a dispatch from
 * inside a task's worktree never nests a task in it. One synchronous git call from the
 * main checkout; one more from a linked worktree.
 */
export const findRepoRoot = (cwd: string): string => {
  let out: string;
  try {
    out = gitSync(cwd, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir', '--show-toplevel']);
  } catch (error) {
    throw notARepository(cwd, error);
  }
  const [gitDir, commonDir, top] = out.split('\n') as [string, string, string];
  if (gitDir === commonDir) return path.resolve(top);
  // A linked worktree: the main checkout is the one the common git directory belongs to.
  if (configIn(cwd, commonDir, 'core.bare', true) === 'true') throw bareError(cwd, commonDir);
  if (path.basename(commonDir) === '.git') return path.dirname(commonDir);
  // A submodule's git directory (.git/modules/<name>) names its checkout in core.worktree.
  const configured = configIn(cwd, commonDir, 'core.worktree');
  if (configured) return path.resolve(commonDir, configured);
  throw new FailureError(
    `${cwd} is a linked worktree of ${commonDir}, and where that repository's main checkout is cannot be told from here; run from the main checkout or pass --repo MAIN_CHECKOUT`,
    'main_checkout_unknown',
    { cwd, git_dir: commonDir },
  );
};
