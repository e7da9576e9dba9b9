import fs from 'node:fs';
import { fenceFilesBySlug, sweepFences } from '../lock/fence.js';
import { FILE_PREFIX, slugPaths } from '../paths/state-paths.js';
import { clearStaleLock, staleLockAge } from '../reap/stale-lock.js';
import { readStatusIfExists } from '../status/read-status.js';
import { listSlugs } from './list-slugs.js';
import type { HousekeepingNote } from './store.js';

const LOCK_SUFFIX = '.lock';

const listNames = (stateDir: string): string[] => {
  try {
    return fs.readdirSync(stateDir);
  } catch {
    return [];
  }
};

/** Slugs with a lock directory: a lock can be left behind before any status was written. */
const lockedSlugs = (names: string[]): string[] =>
  names.filter((n) => n.startsWith(FILE_PREFIX) && n.endsWith(LOCK_SUFFIX)).map((n) => n.slice(FILE_PREFIX.length, -LOCK_SUFFIX.length));

/**
 * The file store's part of a reap, from one directory listing: the slugs to look at,
 * locks left by dead holders (taken and let go, the way every tool takes them, so a
 * fresh one is never removed), and fence files no claim can need any more.
 */
export const housekeepFiles = async (
  stateDir: string,
  slugs: string[] | 'all',
  options: { dryRun: boolean },
): Promise<{ slugs: string[]; notes: Map<string, HousekeepingNote[]> }> => {
  const names = listNames(stateDir);
  const fences = fenceFilesBySlug(names);
  const list = slugs === 'all' ? [...new Set([...listSlugs(stateDir), ...lockedSlugs(names)])].sort() : slugs;
  const notes = new Map<string, HousekeepingNote[]>();
  for (const slug of list) {
    let paths;
    try {
      paths = slugPaths(stateDir, slug);
    } catch {
      continue; // a bad slug is reported by the reap itself
    }
    const lockAge = staleLockAge(paths.lock);
    if (lockAge !== undefined && (options.dryRun || (await clearStaleLock(paths.lock)))) {
      notes.set(slug, [{ action: 'stale_lock_removed', reason: `lock ${paths.lock} was left by a dead holder (untouched for ${Math.round(lockAge / 1000)} s)` }]);
    }
    // Housekeeping, not a change to report: junk and long-superseded fence files go.
    const files = fences.get(slug);
    if (options.dryRun || !files?.length) continue;
    try {
      const status = readStatusIfExists(paths.status);
      if (status) sweepFences(stateDir, files, status.fence);
    } catch {
      // A damaged status is the reap's to report; its fences wait for a readable one.
    }
  }
  return { slugs: list, notes };
};
