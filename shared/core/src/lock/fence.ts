import fs from 'node:fs';
import { FILE_MODE } from '../fsx/atomic-write.js';
import type { SlugPaths } from '../paths/state-paths.js';

// How many past fence files to keep: a process frozen (SIGSTOP) in the middle of a
// claim finds its fence number already taken unless this many claims passed meanwhile.
const KEEP = 64;

/**
 * Takes fence number `n` for a slug by creating `dispatch-<slug>.fence-<n>` with
 * O_EXCL. Exactly one process can create it, whatever happened to the lock, so two
 * processes that both believe they hold the lock (proper-lockfile#121) cannot both claim.
 */
export const takeFence = (paths: SlugPaths, n: number): boolean => {
  try {
    fs.writeFileSync(`${paths.fencePrefix}${n}`, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  fs.rmSync(`${paths.fencePrefix}${n - KEEP}`, { force: true });
  return true;
};

/** True when a later claim than `n` has been made. */
export const fenceSuperseded = (paths: SlugPaths, n: number): boolean => fs.existsSync(`${paths.fencePrefix}${n + 1}`);
