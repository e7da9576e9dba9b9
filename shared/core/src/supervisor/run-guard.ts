import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openStateFile } from '../fsx/safe-open.js';
import { RUN_TOKEN_ENV } from '../liveness/run-processes.js';
import { GUARD_EXIT, GUARD_STOP, GUARD_TOKEN_ENV } from './run-guard-protocol.js';

// The guard's own process: the bundle (scripts/bundle.mjs) points this at dist/bin/run-guard.cjs.
const GUARD_MAIN = fileURLToPath(new URL('./run-guard-main.js', import.meta.url));


export interface GuardOptions {
  /** The run's process group (the worker's pid: spawnWorker starts it detached). */
  pgid: number;
  /** The run's token: processes carrying it are killed too (setsid grandchildren of an uncontained run). */
  token: string;
  /** Time the run gets before the first feed. */
  budgetMs: number;
  /** Where the guard says why it killed the run (the task's log). */
  log?: string;
}

export interface RunGuard {
  /** The guard's pid, or undefined if it could not be started. */
  readonly pid: number | undefined;
  /** A new deadline: budgetMs from when the guard reads it, on the guard's monotonic clock. */
  feed(budgetMs: number): void;
  /** Ends the guard without killing anything, and waits for it to be gone. */
  stop(): Promise<void>;
  /** True once the guard has exited after killing the run. */
  fired(): boolean;
}

/**
 * Starts a guard beside a run (supervisor/run-guard-main.ts): a small detached process
 * that SIGKILLs the run's process group and every process carrying its token unless
 * the supervisor keeps feeding it time, so a frozen supervisor (SIGSTOP, a blocked event
 * loop) cannot keep a run alive past its lease. Feeding goes over the guard's stdin: a
 * write is one line; the pipe closing without a "stop" (the supervisor died) kills at
 * once. The guard exits on its own once the run's group and token are gone.
 */
export const startGuard = (options: GuardOptions): RunGuard => {
  const env: NodeJS.ProcessEnv = { ...process.env, [GUARD_TOKEN_ENV]: options.token };
  delete env[RUN_TOKEN_ENV];
  const logFd = options.log === undefined ? undefined : openStateFile(options.log, 'append');
  let child;
  try {
    child = spawn(process.execPath, [GUARD_MAIN, String(options.pgid), String(Math.max(0, Math.round(options.budgetMs)))], {
      // Its own group: a stop sent to the supervisor's group does not freeze the guard too.
      detached: true,
      stdio: ['pipe', 'ignore', logFd ?? 'ignore'],
      env,
    });
  } finally {
    if (logFd !== undefined) fs.closeSync(logFd);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => {
      exitCode ??= null;
      resolve();
    });
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    });
  });
  // stdio[0] is 'pipe': always there.
  const stdin = child.stdin as NonNullable<typeof child.stdin>;
  // The guard may be gone (the run ended): a feed then meets a closed pipe, which is fine.
  stdin.on('error', () => undefined);
  // Neither the guard nor its pipe keeps the supervisor's event loop alive.
  child.unref();
  (stdin as unknown as { unref?: () => void }).unref?.();
  const write = (line: string) => {
    if (exitCode === undefined && stdin.writable) stdin.write(`${line}\n`);
  };
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid,
    feed: (budgetMs) => write(String(Math.max(0, Math.round(budgetMs)))),
    stop: () => {
      stopping ??= (async () => {
        if (exitCode === undefined && stdin.writable) stdin.end(`${GUARD_STOP}\n`);
        const timer = setTimeout(() => {
          try {
            child.kill('SIGKILL');
          } catch {
            // gone
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
    fired: () => exitCode === GUARD_EXIT.killed || exitCode === GUARD_EXIT.survivors,
  };
};
