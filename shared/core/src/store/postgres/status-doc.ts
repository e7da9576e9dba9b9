import { checkStatusShape, parseStatus } from '../../status/read-status.js';
import type { StatusRecord } from '../../status/schema.js';

/**
 * A status document as read from its row: the same checks as a status file, so a
 * damaged one is a StatusFileError (never "no worker"). NULL is "never dispatched".
 * The driver hands json over parsed; text here is a document someone stored as a string.
 */
export const statusFromRow = (name: string, value: unknown): StatusRecord | undefined => {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? parseStatus(name, value) : checkStatusShape(name, value);
};
