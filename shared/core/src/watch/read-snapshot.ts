import { errorRecord, type ErrorRecord } from '../ndjson/error-record.js';
import { slugPaths } from '../paths/state-paths.js';
import { readStatus } from '../status/read-status.js';
import { snapshotRecord, type SnapshotRecord } from './snapshot-record.js';

/** One slug's record, or an error record for that slug alone (missing, damaged). */
export const readSnapshot = (stateDir: string, slug: string): SnapshotRecord | ErrorRecord => {
  try {
    return snapshotRecord(readStatus(slugPaths(stateDir, slug).status));
  } catch (error) {
    return errorRecord(error, { slug });
  }
};
