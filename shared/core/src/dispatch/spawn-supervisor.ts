import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openStateFile } from '../fsx/safe-open.js';
import { UNTRACKED_ENV, untrackedHandOver } from '../fsx/tracked-files.js';
import { holdExtraCaCerts } from '../supervisor/extra-ca-certs.js';

const SUPERVISOR_MAIN = fileURLToPath(new URL('../supervisor/main.js', import.meta.url));

/**
 * A dispatch run from inside a worker (an agent dispatching a subtask) must not pass its
 * own run's identity on: a stop of that run finds processes by its token.
 */
const supervisorEnv = (stateDir: string, store: string): NodeJS.ProcessEnv => {
  // The store goes in the environment, never on the command line: its URL may hold a password.
  const env: NodeJS.ProcessEnv = { ...process.env, TASK_MANAGER_STORE: store };
  delete env.TASK_MANAGER_RUN_TOKEN;
  delete env.TASK_MANAGER_RUN_ID;
  delete env.TASK_MANAGER_SLUG;
  delete env[UNTRACKED_ENV];
  // What this process just learned from git, so the supervisor does not ask again.
  const handed = { ...env, ...untrackedHandOver(stateDir) };
  // The file store needs no TLS: the supervisor starts without parsing the extra CAs.
  return store === '' || store === 'file' ? holdExtraCaCerts(handed) : handed;
};

/**
 * Starts the supervisor for a claimed chain: detached (its own session, so it outlives
 * the dispatching shell, its terminal and SIGHUP), stdin /dev/null, its own diagnostics
 * appended to the task's log (node:child_process: docs/decisions.md, "execa").
 */
export const spawnSupervisor = (stateDir: string, store: string, paths: { slug: string; log: string }, fence: number): { pid: number | undefined; exited: Promise<number | null> } => {
  const log = openStateFile(paths.log, 'append');
  try {
    const child = spawn(process.execPath, [SUPERVISOR_MAIN, stateDir, paths.slug, String(fence)], {
      detached: true,
      stdio: ['ignore', log, log],
      env: supervisorEnv(stateDir, store),
    });
    // A supervisor that dies before its worker runs must not leave dispatch waiting for
    // the whole timeout: the waiter watches this too.
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (code) => resolve(code));
    });
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    fs.closeSync(log);
  }
};
