import { errorRecord, type ErrorRecord } from '../ndjson/error-record.js';
import { StatusFileError } from '../errors/state-errors.js';
import { runLogPath } from '../paths/state-paths.js';
import { validateSlug } from '../paths/slug.js';
import type { StatusRecord } from '../status/schema.js';
import type { Store } from '../store/store.js';
import { snapshotRecord, type SnapshotRecord } from './snapshot-record.js';
import { lastSaid } from './last-said.js';

/** One status as the view shows it (what a live worker last said, from its local log). */
export const snapshotOf = (stateDir: string, status: StatusRecord): SnapshotRecord => {
  const record = snapshotRecord(status);
  // For the table: read only for live ones (a log tail each).
  if (!record.done && (record.dispatch_state === 'running' || record.dispatch_state === 'orphaned')) record.last_line = lastSaid(runLogPath(stateDir, status.slug), record.worker ?? undefined);
  return record;
};

/** One slug's record, or an error record for that slug alone (missing, damaged). */
export const readSnapshot = async (store: Store, stateDir: string, slug: string): Promise<SnapshotRecord | ErrorRecord> => {
  try {
    validateSlug(slug);
    const status = await store.readStatus(slug);
    if (!status) throw new StatusFileError(store.statusName(slug), 'does not exist', 'status_missing');
    return snapshotOf(stateDir, status);
  } catch (error) {
    return errorRecord(error, { slug });
  }
};
