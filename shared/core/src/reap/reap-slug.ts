import { fireHook } from '../hooks/event-hook.js';
import { HISTORY_EVENTS } from '../history/events.js';
import { stopRun } from '../liveness/stop-run.js';
import { runLogPath } from '../paths/state-paths.js';
import { validateSlug } from '../paths/slug.js';
import { hostId } from '../liveness/host-id.js';
import { StatusFileError } from '../errors/state-errors.js';
import type { HousekeepingNote, Store } from '../store/store.js';
import { deriveDispatchState } from '../status/dispatch-state.js';
import { LIVE_STATES, type StatusRecord } from '../status/schema.js';
import { endRun } from '../status/end-run.js';
import { nowIso } from '../time/clock.js';

export interface ReapOptions {
  dryRun: boolean;
  /** The operator's event hook: told of every run found worker_gone. */
  onEvent?: string | null;
  killOrphans: boolean;
  /** SIGTERM (or the agent's first signal) to SIGKILL, when stopping an orphan. */
  graceMs: number;
  /** Who reaps, written to history: worker-reap (the default) or hb-tick. */
  by?: string;
  /** A slug without a status is not an error (a lock left before any status). */
  missingOk?: boolean;
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

// Follow-ups are never dropped by a reap: the next claim starts from the same queue.
const followupNote = (status: StatusRecord): string => {
  const n = status.followups.length;
  if (n === 0) return '';
  return `; ${n} queued follow-up${n === 1 ? '' : 's'} stay${n === 1 ? 's' : ''} queued and run${n === 1 ? 's' : ''} when the task is next dispatched`;
};

const deathReason = (status: StatusRecord): string =>
  status.lease && !status.lease.live && status.owner?.host !== undefined && status.owner.host !== hostId()
    ? `the lease of host ${status.owner.host} expired${status.lease.expires_at ? ` at ${status.lease.expires_at}` : ''}: its supervisor stopped the run or died, and the run with it`
    : status.worker
    ? `supervisor ${status.owner?.pid ?? '?'} and worker ${status.worker.pid} are gone`
    : `supervisor ${status.owner?.pid ?? '?'} is gone and no worker was started`;

/**
 * Writes worker_gone inside the critical section, and only if the status is still the
 * one the decision was made on (same fence and run, still live, still dead): a run that
 * started meanwhile is never touched. False when it had moved on.
 */
const markGone = (store: Store, seen: StatusRecord, reason: string, by: string): Promise<boolean> =>
  store.withTask(seen.slug, async (section) => {
    const now = section.status;
    if (!now || now.fence !== seen.fence || now.run_id !== seen.run_id || !LIVE_STATES.includes(now.state)) return false;
    if (deriveDispatchState(now) !== 'worker_gone') return false;
    section.assertHeld();
    await section.write(endRun(now, { state: 'worker_gone', outcome: 'worker_gone', reason }));
    section.history({
      event: HISTORY_EVENTS.reaped,
      run_id: now.run_id,
      fence: now.fence,
      from: now.state,
      to: 'worker_gone',
      reason,
      by,
      followups_pending: now.followups.length,
    });
    return true;
  });

/**
 * The polite signals of the run's adapter, looked up by name in the registry: the status
 * file only names the worker, it never supplies signals (and stopRun sends none but
 * SIGINT, SIGTERM and SIGKILL whatever it is given).
 */
const stopSignalsOf = async (status: StatusRecord): Promise<NodeJS.Signals[]> => {
  const name = status.spec?.worker;
  if (typeof name !== 'string') return ['SIGTERM'];
  // The adapters are only needed here: loaded late, so a plain reap does not pay for them.
  const { knownAdapter } = await import('../workers/registry.js');
  return knownAdapter(name)?.stopSignals ?? ['SIGTERM'];
};

/**
 * One task: removes a lock left by a dead holder; marks a run whose supervisor and
 * worker are both dead worker_gone; reports an orphan (supervisor dead, worker alive)
 * and, with killOrphans, stops its processes, checks none is left and marks it
 * worker_gone. Returns one record per change (what would change, under dryRun).
 */
export const reapSlug = async (store: Store, stateDir: string, slug: string, options: ReapOptions, notes: HousekeepingNote[] = []): Promise<ReapRecord[]> => {
  validateSlug(slug);
  const log = runLogPath(stateDir, slug);
  const by = options.by ?? 'worker-reap';
  const records: ReapRecord[] = [];
  const record = (status: StatusRecord | undefined, action: ReapRecord['action'], from: string | null, to: string | null, reason: string) => {
    records.push({
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
  };

  for (const note of notes) record(undefined, note.action, null, null, note.reason);

  const status = await store.readStatus(slug);
  if (!status) {
    if (options.missingOk || records.length > 0) return records;
    throw new StatusFileError(store.statusName(slug), 'does not exist', 'status_missing');
  }
  if (!LIVE_STATES.includes(status.state)) return records;

  const state = deriveDispatchState(status);
  const note = followupNote(status);
  if (state === 'worker_gone') {
    const reason = deathReason(status) + note;
    if (options.dryRun || (await markGone(store, status, reason, by))) {
      record(status, 'marked_worker_gone', status.state, 'worker_gone', reason);
      if (!options.dryRun) fireHook(options.onEvent, 'worker_gone', { run_id: status.run_id, reason, by }, { log, slug, store });
    }
  } else if (state === 'orphaned') {
    const worker = status.worker ? `worker ${status.worker.pid}` : 'a process carrying its run token';
    if (!options.killOrphans) {
      record(status, 'orphaned', status.state, 'orphaned', `supervisor ${status.owner?.pid ?? '?'} died but ${worker} lives; it still blocks the task (--kill-orphans stops it)`);
    } else if (options.dryRun) {
      record(status, 'orphan_killed', status.state, 'worker_gone', `would stop ${worker} and its process group, then mark the run worker_gone${note}`);
    } else {
      const stopped = await stopRun({ worker: status.worker, token: status.token, owner: status.owner }, { graceMs: options.graceMs, firstSignals: await stopSignalsOf(status) });
      const how = stopped.killed ? 'killed (SIGKILL after the grace period)' : 'stopped';
      const reason = `orphaned ${worker} ${how} by ${by} --kill-orphans; its process group is empty${note}`;
      if (await markGone(store, status, reason, by)) {
        record(status, 'orphan_killed', status.state, 'worker_gone', reason);
        fireHook(options.onEvent, 'worker_gone', { run_id: status.run_id, reason, by }, { log, slug, store });
      }
      else record(status, 'orphan_killed', status.state, null, `orphaned ${worker} ${how}; the status had moved on meanwhile and was left as it is`);
    }
  }
  return records;
};
