import fs from 'node:fs';
import { LOCK_STALE_MS } from '../lock/critical-section.js';

/**
 * A lock directory nobody refreshes any more. A live holder touches it every
 * LOCK_UPDATE_MS; one left by a killed holder only ages. Returns its age, or undefined
 * when there is no lock or it is fresh.
 */
export const staleLockAge = (lockPath: string, now = Date.now()): number | undefined => {
  try {
    const age = now - fs.statSync(lockPath).mtimeMs;
    return age > LOCK_STALE_MS ? age : undefined;
  } catch {
    return undefined;
  }
};

export const removeStaleLock = (lockPath: string): boolean => {
  try {
    fs.rmdirSync(lockPath);
    return true;
  } catch {
    return false;
  }
};
