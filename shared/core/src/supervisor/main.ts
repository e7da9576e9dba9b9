/**
 * The detached supervisor process: `node main.js <state dir> <slug> <fence>`, with the
 * store in TASK_MANAGER_STORE. Started by dispatch (and continue, and hb-tick) after a
 * claim; owns the task for its chain.
 */
import { appendStateFile } from '../fsx/safe-open.js';
import { checkStateDir } from '../fsx/state-dir.js';
import { runLogPath } from '../paths/state-paths.js';
import { openStore } from '../store/open-store.js';
import { FenceLostError } from '../errors/state-errors.js';
import { Supervisor } from './supervisor.js';
import { settleHooks } from '../hooks/event-hook.js';
import { restoreExtraCaCerts } from './extra-ca-certs.js';

// Before anything is started: the worker, hooks and git get NODE_EXTRA_CA_CERTS back.
restoreExtraCaCerts();

const [stateDir, slug, fenceText] = process.argv.slice(2);
if (!stateDir || !slug || !fenceText) {
  process.stderr.write('usage: supervisor <state dir> <slug> <fence> (started by dispatch, not by hand)\n');
  process.exit(2);
}

const log = (message: string) => {
  try {
    appendStateFile(runLogPath(stateDir, slug), `task-manager supervisor: ${message}\n`);
  } catch {
    process.stderr.write(`task-manager supervisor: ${message}\n`);
  }
};

// The directory dispatch checked may have changed hands since: checked again here.
try {
  checkStateDir(stateDir);
} catch (error) {
  log((error as Error).message);
  process.exit(1);
}

// Bundled as CommonJS (scripts/bundle.mjs): no top-level await, so the store opens in here.
const start = async (): Promise<void> => {
  let store;
  try {
    store = await openStore(process.env.TASK_MANAGER_STORE ?? 'file', stateDir);
  } catch (error) {
    log((error as Error).message);
    process.exit(1);
  }
  const supervisor = new Supervisor(store, stateDir, slug, Number(fenceText));
  process.on('SIGTERM', () => supervisor.shutdown());
  process.on('SIGINT', () => supervisor.shutdown());
  // The dispatching terminal may close; the chain goes on.
  process.on('SIGHUP', () => undefined);
  // Over a file-size limit a write fails (EFBIG) instead of killing us mid-write.
  process.on('SIGXFSZ', () => undefined);

  await supervisor.run().then(
    // The operator's hooks finish (each at most 10 s) before the supervisor goes.
    () => settleHooks().then(() => process.exit(0)),
    async (error) => {
      // A lost fence means another chain owns the task: stop our worker, if any, and
      // leave without writing. Any other error stops the run and records why.
      if (error instanceof FenceLostError) {
        log(error.message);
        await supervisor.abandon();
        process.exit(0);
      }
      log(`failed: ${(error as Error)?.stack ?? String(error)}`);
      await supervisor.crashed(error).catch((second) => log(`could not record the failure: ${(second as Error)?.message ?? String(second)}`));
      process.exit(1);
    },
  );
};
void start();
