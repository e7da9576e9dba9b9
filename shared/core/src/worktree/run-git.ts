import { spawn } from 'node:child_process';
import { FailureError } from '../errors/errors.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Variables that bind git to one repository whatever its cwd (a dispatch started from a
// git hook has GIT_DIR and GIT_INDEX_FILE set): every call here names its repository by
// cwd, so they would point it at the wrong one.
const REPO_BINDING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_IMPLICIT_WORK_TREE'];

const gitEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of REPO_BINDING_ENV) delete env[name];
  return env;
};

/**
 * `git ARGS` in `cwd`, never throwing (node:child_process: docs/decisions.md, "execa").
 * stdin is /dev/null so a hook that reads it cannot hang us.
 */
export const runGit = (cwd: string, args: string[]): Promise<GitResult> =>
  new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => resolve({ code: 127, stdout: '', stderr: error.message }));
    child.on('close', (code, signal) => resolve({ code: code ?? 128, stdout: stdout.trimEnd(), stderr: stderr.trim() || (signal ? `killed by ${signal}` : '') }));
  });

/** `git ARGS` in `cwd`: its stdout, or a FailureError (code git_failed) with git's message. */
export const git = async (cwd: string, args: string[]): Promise<string> => {
  const result = await runGit(cwd, args);
  if (result.code !== 0) {
    throw new FailureError(`git ${args.join(' ')} failed: ${result.stderr || `exit ${result.code}`}`, 'git_failed', { cwd });
  }
  return result.stdout;
};
