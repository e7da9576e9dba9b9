import { FailureError } from '../errors/errors.js';
import { writeFileAtomic } from '../fsx/atomic-write.js';
import { nowIso } from '../time/clock.js';
import type { StatusRecord } from './schema.js';

/**
 * Replaces the status file whole (see writeFileAtomic); stamps updated_at. A failed
 * write (disk full, a file-size limit) leaves the old file as it was and is reported.
 */
export const writeStatus = (file: string, status: StatusRecord): StatusRecord => {
  const stamped = { ...status, updated_at: nowIso() };
  try {
    writeFileAtomic(file, `${JSON.stringify(stamped)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FailureError(`cannot write ${file} (${code}); the previous status is unchanged`, 'write_failed', { file });
  }
  return stamped;
};
