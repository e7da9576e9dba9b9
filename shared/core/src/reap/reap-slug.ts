import { HISTORY_EVENTS } from '../history/events.js';
import { appendHistory } from '../history/append-history.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { bootId } from '../liveness/proc.js';
import { stopRun } from '../liveness/stop-run.js';
import { slugPaths, type SlugPaths } from '../paths/state-paths.js';
import { deriveDispatchState } from '../status/dispatch-state.js';
import { readStatus } from '../status/read-status.js';
import type { StatusRecord } from '../status/schema.js';
import { writeStatus } from '../status/write-status.js';
import { monoStamp, nowIso } from '../time/clock.js';
import { getAdapter } from '../workers/registry.js';
import { removeStaleLock, staleLockAge } from './stale-lock.js';

export interface ReapOptions {
  dryRun: boolean;
  killOrphans: boolean;
  graceMs: number;
  /** Who reaps, for history (worker-reap, hb-tick). */
  by: string;
}

export interface ReapRecord {
  type: 'reap';
  slug: string;
  action: 'marked_worker_gone' | 'orphaned' | 'orphan_killed' | 'stale_lock_removed';
  from: string | null;
  to: string | null;
  run_id: string | null;
  reason: string;
  followups_pending: number;
  dry_run: boolean;
  ts: string;
}

/**
 * Marks a dead run worker_gone — inside the critical section, and only if the status
 * is still the one the decision was made on (same fence and run), so a run that
 * started meanwhile is never touched.
 */
const markGone = (paths: SlugPaths, seen: StatusRecord, reason: string, by: string): Promise<boolean> =>
  withCriticalSection(paths.lock, (section) => {
    const now = readStatus(paths.status);
    if (now.fence !== seen.fence || now.run_id !== seen.run_id || !['starting', 'running'].includes(now.state)) return false;
    const state = deriveDispatchState(now);
    if (state !== 'worker_gone') return false;
    section.assertHeld();
    writeStatus(paths.status, {
      ...now,
      state: 'worker_gone',
      outcome: 'worker_gone',
      reason,
      ended_at: nowIso(),
      ended_mono: monoStamp(bootId()),
      failures: now.failures + 1,
    });
    appendHistory(paths.history, { event: HISTORY_EVENTS.reaped, slug: paths.slug, run_id: now.run_id, from: now.state, to: 'worker_gone', reason, by, followups_pending: now.followups.length });
    return true;
  });

/** Finds what is dead or orphaned for one task and, unless dry-run, sets it right. */
export const reapSlug = async (stateDir: string, slug: string, options: ReapOptions): Promise<ReapRecord[]> => {
  const paths = slugPaths(stateDir, slug);
  const records: ReapRecord[] = [];
  const record = (status: StatusRecord | undefined, action: ReapRecord['action'], from: string | null, to: string | null, reason: string): ReapRecord => ({
    type: 'reap',
    slug,
    action,
    from,
    to,
    run_id: status?.run_id ?? null,
    reason,
    followups_pending: status?.followups.length ?? 0,
    dry_run: options.dryRun,
    ts: nowIso(),
  });

  const lockAge = staleLockAge(paths.lock);
  if (lockAge !== undefined && (options.dryRun || removeStaleLock(paths.lock))) {
    records.push(record(undefined, 'stale_lock_removed', null, null, `lock left by a dead holder (${Math.round(lockAge / 1000)} s old)`));
  }

  const status = readStatus(paths.status);
  const state = deriveDispatchState(status);
  if (state === 'worker_gone' && status.state !== 'worker_gone') {
    const reason = 'the supervisor and the worker are gone';
    if (options.dryRun || (await markGone(paths, status, reason, options.by))) records.push(record(status, 'marked_worker_gone', status.state, 'worker_gone', reason));
  } else if (state === 'orphaned') {
    if (!options.killOrphans) {
      records.push(record(status, 'orphaned', status.state, 'orphaned', `the supervisor died but worker ${status.worker?.pid ?? '?'} lives; it still blocks the task (--kill-orphans stops it)`));
    } else if (options.dryRun) {
      records.push(record(status, 'orphan_killed', status.state, 'worker_gone', 'would stop the orphaned worker group'));
    } else {
      const signals = status.spec ? getAdapter(status.spec.worker).stopSignals : ['SIGTERM' as NodeJS.Signals];
      await stopRun({ worker: status.worker, token: status.token }, { graceMs: options.graceMs, firstSignals: signals });
      const reason = 'orphaned worker stopped by worker-reap --kill-orphans';
      if (await markGone(paths, status, reason, options.by)) records.push(record(status, 'orphan_killed', status.state, 'worker_gone', reason));
    }
  }
  return records;
};
