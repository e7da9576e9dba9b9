import fs from 'node:fs';
import { LOCK_STALE_MS, withCriticalSection } from '../lock/critical-section.js';

/**
 * The age of a lock directory nobody refreshes any more, or undefined when there is no
 * lock or it is fresh. A live holder touches its lock every LOCK_UPDATE_MS; one left
 * by a killed holder only ages.
 */
export const staleLockAge = (lockPath: string, now = Date.now()): number | undefined => {
  // lstat: a link under a lock's name is not a lock (withCriticalSection refuses it).
  const st = fs.lstatSync(lockPath, { throwIfNoEntry: false });
  if (!st || !st.isDirectory()) return undefined;
  const age = now - st.mtimeMs;
  return age > LOCK_STALE_MS ? age : undefined;
};

/**
 * Removes a stale lock by taking it the way every tool does and letting go: proper-lockfile
 * reclaims a lock older than its stale time and removes the directory on release. A bare
 * rmdir could remove a lock someone took over a moment after our stat; this way a fresh
 * lock is refused (ELOCKED) and left alone. True when the stale lock was removed.
 */
export const clearStaleLock = async (lockPath: string): Promise<boolean> => {
  if (staleLockAge(lockPath) === undefined) return false;
  try {
    await withCriticalSection(lockPath, () => undefined, { retries: 0 });
    return true;
  } catch {
    return false;
  }
};
