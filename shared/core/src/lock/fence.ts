import fs from 'node:fs';
import { FILE_MODE } from '../fsx/atomic-write.js';
import { isAlive, selfIdentity, type Identity } from '../liveness/identity.js';
import type { SlugPaths } from '../paths/state-paths.js';

// How many past fence files to keep: a process frozen (SIGSTOP) in the middle of a
// claim finds its fence number already taken unless this many claims passed meanwhile.
const KEEP = 64;

const fenceFile = (paths: SlugPaths, n: number) => `${paths.fencePrefix}${n}`;

/**
 * Takes fence number `n` for a slug by creating `dispatch-<slug>.fence-<n>` with
 * O_EXCL. Exactly one process can create it, whatever happened to the lock, so two
 * processes that both believe they hold the lock (proper-lockfile#121) cannot both
 * claim. The file holds the claimer's identity.
 */
export const takeFence = (paths: SlugPaths, n: number): boolean => {
  try {
    fs.writeFileSync(fenceFile(paths, n), `${JSON.stringify(selfIdentity())}\n`, { flag: 'wx', mode: FILE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  fs.rmSync(fenceFile(paths, n - KEEP), { force: true });
  return true;
};

/** True when a later claim than `n` has been made. */
export const fenceSuperseded = (paths: SlugPaths, n: number): boolean => fs.existsSync(fenceFile(paths, n + 1));

/**
 * The fence number a new claim should take, starting after the status's. A fence file
 * beyond it means a claim whose status was never written: if its claimer still lives,
 * a claim is in progress (undefined: the caller must refuse); if it died (killed between
 * the fence and the status write, or the write failed), that number is skipped.
 */
export const nextFence = (paths: SlugPaths, statusFence: number): number | undefined => {
  let n = statusFence + 1;
  for (;;) {
    let text: string;
    try {
      text = fs.readFileSync(fenceFile(paths, n), 'utf8');
    } catch {
      return n;
    }
    let owner: Identity | undefined;
    try {
      owner = JSON.parse(text) as Identity;
    } catch {
      owner = undefined; // torn by a crash mid-write: its writer is gone
    }
    if (owner && isAlive(owner) && owner.pid !== process.pid) return undefined;
    n += 1;
  }
};
