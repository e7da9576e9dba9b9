import { FenceLostError } from '../errors/state-errors.js';
import { withCriticalSection, type Section } from '../lock/critical-section.js';
import { fenceSuperseded } from '../lock/fence.js';
import type { SlugPaths } from '../paths/state-paths.js';
import { readStatus } from '../status/read-status.js';
import type { StatusRecord } from '../status/schema.js';
import { writeStatus } from '../status/write-status.js';


/**
 * Read, check the fence, change, write — inside the critical section. A supervisor
 * whose fence is not the file's (or that a later claim superseded) writes nothing.
 */
export const updateOwnedStatus = (
  paths: SlugPaths,
  fence: number,
  change: (status: StatusRecord, section: Section) => StatusRecord | StatusRecord[] | undefined,
): Promise<StatusRecord> =>
  withCriticalSection(paths.lock, (section) => {
    let status = readStatus(paths.status);
    if (status.fence !== fence || fenceSuperseded(paths, fence)) throw new FenceLostError(paths.slug, fence);
    const next = change(status, section);
    // Several records are written in order under one hold of the lock (a run's end,
    // then the next run's start), so nobody sees the gap between them unlocked.
    for (const record of next === undefined ? [] : Array.isArray(next) ? next : [next]) {
      section.assertHeld();
      status = writeStatus(paths.status, record);
    }
    return status;
  });
