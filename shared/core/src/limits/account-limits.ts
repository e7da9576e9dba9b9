import path from 'node:path';
import { writeFileAtomic } from '../fsx/atomic-write.js';
import { readStateFile } from '../fsx/safe-open.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { bootId } from '../liveness/proc.js';
import { elapsedSinceMs, monoStamp, nowIso, nowMs, type MonoStamp } from '../time/clock.js';

/** One account's limit, as the run that hit it recorded it. */
export interface AccountLimit {
  worker: string;
  /** The task whose run hit it. */
  slug: string;
  kind: string;
  resets_at: string;
  wait_ms: number;
  recorded_at: string;
  recorded_mono: MonoStamp;
}

/** An active limit as the tools report it: `until` is computed now, from the monotonic wait. */
export interface ActiveLimit {
  account: string;
  worker: string;
  slug: string;
  kind: string;
  until: string;
}

const limitsFile = (stateDir: string) => path.join(stateDir, 'limits.json');

const readAll = (stateDir: string): Record<string, AccountLimit> => {
  try {
    const parsed = JSON.parse(readStateFile(limitsFile(stateDir)) ?? '{}') as { accounts?: Record<string, AccountLimit> };
    return parsed.accounts && typeof parsed.accounts === 'object' ? parsed.accounts : {};
  } catch {
    return {}; // none yet; a damaged file is rewritten by the next limit
  }
};

const remainingMs = (limit: AccountLimit): number => {
  const elapsed = elapsedSinceMs(limit.recorded_at, limit.recorded_mono, bootId()) ?? limit.wait_ms;
  return limit.wait_ms - elapsed;
};

/**
 * The limits in force, one per account, in `<state dir>/limits.json`: a limit is the
 * account's, not the task's, so every tool that starts a worker looks here first.
 * Expired ones are left out (and dropped at the next write).
 */
export const activeLimits = (stateDir: string): ActiveLimit[] =>
  Object.entries(readAll(stateDir)).flatMap(([account, limit]) => {
    const left = remainingMs(limit);
    return left > 0 ? [{ account, worker: limit.worker, slug: limit.slug, kind: limit.kind, until: new Date(nowMs() + left).toISOString() }] : [];
  });

const update = (stateDir: string, change: (all: Record<string, AccountLimit>) => void): Promise<void> =>
  withCriticalSection(`${limitsFile(stateDir)}.lock`, (section) => {
    const all = readAll(stateDir);
    change(all);
    for (const [account, limit] of Object.entries(all)) if (remainingMs(limit) <= 0) delete all[account];
    section.assertHeld();
    writeFileAtomic(limitsFile(stateDir), `${JSON.stringify({ version: 1, accounts: all })}\n`);
  });

export const recordLimit = (stateDir: string, account: string, entry: { worker: string; slug: string; kind: string; wait_ms: number }): Promise<void> =>
  update(stateDir, (all) => {
    all[account] = { ...entry, resets_at: new Date(nowMs() + entry.wait_ms).toISOString(), recorded_at: nowIso(), recorded_mono: monoStamp(bootId()) };
  });

/** A run on the account got through: whatever limit was recorded for it is over. */
export const clearLimit = async (stateDir: string, account: string): Promise<void> => {
  if (!(account in readAll(stateDir))) return;
  await update(stateDir, (all) => {
    delete all[account];
  });
};
