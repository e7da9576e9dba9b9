import fs from 'node:fs';
import { parseNonNegative } from '../config/env-values.js';

export const LOG_ROTATE_ENV = 'TASK_MANAGER_LOG_ROTATE_MIB';
const DEFAULT_ROTATE_MIB = 64;

/** The size past which a run's start moves the log aside: TASK_MANAGER_LOG_ROTATE_MIB (64; 0: never). */
export const logRotateBytes = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env[LOG_ROTATE_ENV];
  let mib = DEFAULT_ROTATE_MIB;
  if (raw !== undefined && raw !== '') {
    try {
      mib = parseNonNegative(LOG_ROTATE_ENV, raw);
    } catch {
      mib = DEFAULT_ROTATE_MIB; // the supervisor has no terminal to complain to; the default holds
    }
  }
  return Math.round(mib * 1024 * 1024);
};

/**
 * At a run's start, before its header: a log larger than `maxBytes` becomes `<log>.1`
 * (replacing the one before), and the run starts a new log. A log therefore holds at
 * most the runs since it passed the limit plus one run's output; `.log.1` the ones
 * before. Only regular files are moved (a link is refused by the next open anyway).
 * True when the log was moved.
 */
export const rotateLogIfLarge = (log: string, maxBytes: number): boolean => {
  if (maxBytes <= 0) return false;
  const st = fs.lstatSync(log, { throwIfNoEntry: false });
  if (!st || !st.isFile() || st.size <= maxBytes) return false;
  fs.renameSync(log, `${log}.1`);
  return true;
};
