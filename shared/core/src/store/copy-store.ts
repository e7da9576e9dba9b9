import { ConflictError } from '../errors/errors.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import { nowIso } from '../time/clock.js';
import type { Store } from './store.js';

export interface CopyRecord {
  type: 'copy';
  slug: string;
  result: 'copied' | 'would_copy' | 'skipped';
  reason?: string;
  history_records?: number;
  followups_queued?: number;
  dry_run: boolean;
  ts: string;
}

/**
 * Moves what a team started on files into a shared store (or back): every task's
 * status — its queue of follow-ups with it — and its history, records and fences
 * unchanged. A task with a live worker is skipped (stop it, or let it end, and copy
 * again); one the target already has is skipped, never overwritten; a damaged status is
 * reported and the others go on. Logs stay where they are: they are local files.
 */
export async function* copyStore(from: Store, to: Store, options: { dryRun: boolean }): AsyncGenerator<CopyRecord | { type: 'failure'; slug: string; error: unknown }> {
  await from.prepare({ write: false });
  if (!options.dryRun) await to.prepare({ write: true });
  const record = (slug: string, result: CopyRecord['result'], extra: Partial<CopyRecord> = {}): CopyRecord => ({ type: 'copy', slug, result, ...extra, dry_run: options.dryRun, ts: nowIso() });
  for (const { slug, status, error } of await from.readAllStatuses()) {
    if (error !== undefined || !status) {
      yield { type: 'failure', slug, error };
      continue;
    }
    const state = deriveDispatchState(status);
    if (isHolding(state)) {
      yield record(slug, 'skipped', { reason: `a worker is ${state}: stop it (dispatch-stop) or let it end, then copy again` });
      continue;
    }
    const { records } = await from.readHistory(slug);
    const counts = { history_records: records.length, followups_queued: status.followups.length };
    if (options.dryRun) {
      yield record(slug, 'would_copy', counts);
      continue;
    }
    try {
      await to.importTask(slug, status, records);
      yield record(slug, 'copied', counts);
    } catch (caught) {
      if (!(caught instanceof ConflictError)) throw caught;
      yield record(slug, 'skipped', { reason: `${to.describe} already has task ${slug}: left as it is there` });
    }
  }
}
