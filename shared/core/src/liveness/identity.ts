import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { bootId, hasProc, readStat } from './proc.js';
import { hostId } from './host-id.js';

/**
 * Who a process is, not just its number: pids are reused and reset by a reboot, so a
 * process counts as the recorded one only if boot id, pid and start time all match.
 */
export interface Identity {
  boot_id: string;
  pid: number;
  start_time: string;
  /** The host it runs on (liveness/host-id.ts); absent in statuses written before hosts. */
  host?: string;
}

let warned = false;
const warnNoProc = () => {
  if (warned) return;
  warned = true;
  process.stderr.write('task-manager: /proc is not available; identities fall back to `ps -o lstart`, which is weaker\n');
};

// Without /proc, `ps -o lstart` (one-second resolution) stands in for the start time.
const psStartTime = (pid: number): string | undefined => {
  warnNoProc();
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
};

const startTimeOf = (pid: number): string | undefined => {
  if (!hasProc()) return psStartTime(pid);
  // A missing /proc entry is the common case for a dead pid: a stat without an
  // exception is ~4x cheaper than the failed read (measured by the watch snapshot).
  if (!fs.statSync(`/proc/${pid}`, { throwIfNoEntry: false })) return undefined;
  const stat = readStat(pid);
  // A zombie has exited; it only waits for its parent to collect it.
  if (!stat || stat.state === 'Z') return undefined;
  return stat.startTime;
};

/** The identity of a running process, or undefined when it is gone. */
export const identityOf = (pid: number): Identity | undefined => {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { boot_id: bootId(), pid, start_time: startTime, host: hostId() };
};

export const selfIdentity = (): Identity => identityOf(process.pid) as Identity;

/** True only if the process that `identity` recorded is still running. */
export const isAlive = (identity: Identity | null | undefined): boolean => {
  if (!identity) return false;
  if (identity.boot_id !== bootId()) return false;
  return startTimeOf(identity.pid) === identity.start_time;
};
