import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';

/**
 * The git top level of `cwd`. A synchronous git call (~3 ms) is cheaper here than
 * loading execa; every tool that needs it needs it before anything else.
 */
export const findRepoRoot = (cwd: string): string => {
  try {
    const out = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return path.resolve(out.trim());
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new FailureError(
      `${cwd} is not inside a git repository (${stderr || 'git rev-parse failed'}); run from a repository or pass --repo`,
      'not_a_repository',
      { cwd },
    );
  }
};
