import { HISTORY_EVENTS } from '../history/events.js';
import { stopRun } from '../liveness/stop-run.js';
import { deriveDispatchState } from '../status/dispatch-state.js';
import { endRun } from '../status/end-run.js';
import type { Hold, StatusRecord } from '../status/schema.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../time/clock.js';
import { waitForStatus } from '../dispatch/wait-for-status.js';
import { getAdapter } from '../workers/registry.js';

export interface StopRecord {
  type: 'stop';
  slug: string;
  /** stopped: a live run was stopped; held: nothing ran, the task is held; already_held; released; not_held. */
  result: 'stopped' | 'held' | 'already_held' | 'released' | 'not_held' | 'timeout';
  run_id: string | null;
  state: string | null;
  followups_pending: number;
  by: string;
  ts: string;
}

/** A status for a task that never ran, so a hold can be recorded before the heartbeat takes it. */
const placeholder = (slug: string): StatusRecord => {
  const now = nowIso();
  return {
    type: 'status', version: 1, slug, state: 'stopped', fence: 0, run_id: null, attempt: 0, failures: 0, token: null,
    owner: null, worker: null, spec: null, prompt: null, session_id: null, created_at: now, updated_at: now,
    started_at: null, ended_at: null, ended_mono: null, last_output_at: null, exit_code: null, signal: null,
    outcome: null, reason: 'held before it ever ran', cost_usd: null, followups: [], followup_id: null, interrupt_requested: null,
  };
};

const record = (slug: string, result: StopRecord['result'], status: StatusRecord | undefined, by: string): StopRecord => ({
  type: 'stop',
  slug,
  result,
  run_id: status?.run_id ?? null,
  state: status?.state ?? null,
  followups_pending: status?.followups.length ?? 0,
  by,
  ts: nowIso(),
});

/**
 * Holds a task: not retried, not picked up by hb-tick, until released. A live run is
 * stopped the way an interrupt stops it (the whole group and token-tagged processes,
 * grace, SIGKILL, verified) through its supervisor, which then starts nothing more —
 * queued follow-ups stay queued. An orphan (no supervisor) is stopped here. Waits, at
 * most `waitMs`, until the run is over.
 */
export const holdTask = async (store: Store, slug: string, options: { by: string; reason?: string; graceMs: number; waitMs: number }): Promise<StopRecord> => {
  const hold: Hold = { by: options.by, at: nowIso(), reason: options.reason ?? 'operator' };
  const decided = await store.withTask(slug, async (section) => {
    const status = section.status;
    const state = status ? deriveDispatchState(status) : undefined;
    section.assertHeld();
    if (status && (state === 'starting' || state === 'running')) {
      const written = await section.write({ ...status, held: hold, stop_requested: status.run_id });
      section.history({ event: HISTORY_EVENTS.held, by: options.by, reason: hold.reason, run_id: status.run_id, stopping: true });
      return { kind: 'live' as const, status: written };
    }
    if (status && state === 'orphaned') return { kind: 'orphan' as const, status };
    if (status?.held) return { kind: 'already' as const, status };
    const written = await section.write({ ...(status ?? placeholder(slug)), held: hold });
    section.history({ event: HISTORY_EVENTS.held, by: options.by, reason: hold.reason, run_id: status?.run_id ?? null, stopping: false });
    return { kind: 'held' as const, status: written };
  });
  if (decided.kind === 'already') return record(slug, 'already_held', decided.status, options.by);
  if (decided.kind === 'held') return record(slug, 'held', decided.status, options.by);
  if (decided.kind === 'orphan') {
    const orphan = decided.status;
    const signals = orphan.spec ? getAdapter(orphan.spec.worker).stopSignals : undefined;
    await stopRun({ worker: orphan.worker, token: orphan.token }, { graceMs: options.graceMs, ...(signals ? { firstSignals: signals } : {}) });
    const ended = await store.withTask(slug, async (section) => {
      const now = section.status as StatusRecord;
      section.assertHeld();
      if (now.fence !== orphan.fence) return now; // a new chain meanwhile: leave it be
      const written = await section.write(endRun(now, { state: 'stopped', outcome: 'stopped', reason: `orphaned run stopped by ${options.by}; held until released` }, { held: hold }));
      section.history({ event: HISTORY_EVENTS.held, by: options.by, reason: hold.reason, run_id: now.run_id, stopping: true });
      return written;
    });
    return record(slug, 'stopped', ended, options.by);
  }
  // The supervisor stops its run, records `stopped` and releases the task.
  const fence = decided.status.fence;
  const { status, timedOut } = await waitForStatus(store, slug, (s) => s.fence !== fence || (s.state !== 'starting' && s.state !== 'running'), options.waitMs);
  return record(slug, timedOut ? 'timeout' : 'stopped', status, options.by);
};

/** Lifts a hold; the task is dispatchable again (or its cooldown applies, as before). */
export const releaseHold = async (store: Store, slug: string, by: string): Promise<StopRecord> =>
  store.withTask(slug, async (section) => {
    const status = section.status;
    if (!status?.held) return record(slug, 'not_held', status, by);
    section.assertHeld();
    const written = await section.write({ ...status, held: null });
    section.history({ event: HISTORY_EVENTS.holdReleased, by });
    return record(slug, 'released', written, by);
  });
