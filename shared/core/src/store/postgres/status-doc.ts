import { StatusFileError } from '../../errors/state-errors.js';
import type { StatusRecord } from '../../status/schema.js';
import { statusShapeProblem } from '../../status/validate-status.js';

/**
 * A status document as read from its row: the same shape check as a status file, so a
 * damaged one is a StatusFileError (never "no worker"). NULL is "never dispatched".
 */
export const statusFromRow = (name: string, value: unknown): StatusRecord | undefined => {
  if (value === null || value === undefined) return undefined;
  let doc = value;
  if (typeof doc === 'string') {
    // The driver hands json over parsed; text here is a document someone stored as a string.
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new StatusFileError(name, 'is not valid JSON (truncated or damaged)', 'status_invalid_json');
    }
  }
  const problem = statusShapeProblem(doc);
  if (problem) throw new StatusFileError(name, `has the wrong shape: ${problem}`, 'status_wrong_shape');
  return doc as StatusRecord;
};
