import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStateFile } from '../fsx/safe-open.js';
import type { Identity } from '../liveness/identity.js';
import { bootId, readStat } from '../liveness/proc.js';
import { RUN_TOKEN_ENV } from '../liveness/run-processes.js';
import { UNTRACKED_ENV } from '../fsx/tracked-files.js';
import type { Invocation } from '../workers/types.js';
import { stdinFile } from './worker-stdin.js';

export interface WorkerExit {
  exitCode: number | null;
  signal: string | null;
  /** The program could not be started (not found, not executable, bad cwd). */
  spawnError?: string;
}

export interface SpawnedWorker {
  identity: Identity | undefined;
  exited: Promise<WorkerExit>;
}

export interface WorkerContext {
  cwd: string;
  log: string;
  slug: string;
  runId: string;
  token: string;
}

const spawnErrorText = (file: string, error: NodeJS.ErrnoException): string =>
  error.code === 'ENOENT'
    ? `program ${JSON.stringify(file)} not found (is it installed and on PATH?)`
    : error.code === 'EACCES'
      ? `program ${JSON.stringify(file)} is not executable`
      : `cannot start ${JSON.stringify(file)}: ${error.message}`;

/**
 * Starts a worker: its own process group (detached: the group id is its pid, so the
 * whole group can be stopped), stdin either the prompt (a file that ends, for agents
 * that read the prompt there: see worker-stdin.ts) or closed (agents wait on an open
 * stdin, and Codex appends it to the prompt), stdout and stderr appended straight to the task's log
 * through a file descriptor, so the worker keeps logging even if the supervisor dies.
 * (Spawning goes through node:child_process everywhere: docs/decisions.md, "execa".)
 */
const withoutEntry = (env: NodeJS.ProcessEnv, name: string): NodeJS.ProcessEnv => {
  const copy = { ...env };
  delete copy[name];
  return copy;
};

export const spawnWorker = (invocation: Invocation, context: WorkerContext): SpawnedWorker => {
  const log = openStateFile(context.log, 'append');
  let input: number | undefined;
  try {
    input = invocation.stdin === undefined ? undefined : stdinFile(path.dirname(context.log), invocation.stdin);
    const child = spawn(invocation.file, invocation.args, {
      cwd: context.cwd,
      detached: true,
      stdio: [input ?? 'ignore', log, log],
      env: {
        ...withoutEntry(process.env, UNTRACKED_ENV),
        ...invocation.env,
        TASK_MANAGER_SLUG: context.slug,
        TASK_MANAGER_RUN_ID: context.runId,
        [RUN_TOKEN_ENV]: context.token,
      },
    });
    // Read even if it already exited (a zombie until we collect it): it is our child.
    const stat = child.pid === undefined ? undefined : readStat(child.pid);
    const identity: Identity | undefined = stat ? { boot_id: bootId(), pid: stat.pid, start_time: stat.startTime } : undefined;
    const exited = new Promise<WorkerExit>((resolve) => {
      child.once('error', (error) => resolve({ exitCode: null, signal: null, spawnError: spawnErrorText(invocation.file, error) }));
      child.once('exit', (code, signal) => resolve({ exitCode: code, signal }));
    });
    return { identity, exited };
  } finally {
    fs.closeSync(log);
    if (input !== undefined) fs.closeSync(input);
  }
};
