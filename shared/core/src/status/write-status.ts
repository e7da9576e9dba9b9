import { writeFileAtomic } from '../fsx/atomic-write.js';
import { nowIso } from '../time/clock.js';
import type { StatusRecord } from './schema.js';

/** Replaces the status file whole (see writeFileAtomic); stamps updated_at. */
export const writeStatus = (file: string, status: StatusRecord): StatusRecord => {
  const stamped = { ...status, updated_at: nowIso() };
  writeFileAtomic(file, `${JSON.stringify(stamped)}\n`);
  return stamped;
};
