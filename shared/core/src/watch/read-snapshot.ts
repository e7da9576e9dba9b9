import { errorRecord, type ErrorRecord } from '../ndjson/error-record.js';
import { slugPaths } from '../paths/state-paths.js';
import { readStatus } from '../status/read-status.js';
import { snapshotRecord, type SnapshotRecord } from './snapshot-record.js';
import { lastSaid } from './last-said.js';

/** One slug's record, or an error record for that slug alone (missing, damaged). */
export const readSnapshot = (stateDir: string, slug: string): SnapshotRecord | ErrorRecord => {
  try {
    const paths = slugPaths(stateDir, slug);
    const record = snapshotRecord(readStatus(paths.status));
    // What a live worker last said, for the table: read only for live ones (a log tail each).
    if (!record.done && (record.dispatch_state === 'running' || record.dispatch_state === 'orphaned')) record.last_line = lastSaid(paths.log, record.worker ?? undefined);
    return record;
  } catch (error) {
    return errorRecord(error, { slug });
  }
};
