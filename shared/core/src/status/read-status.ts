import { readStateFile } from '../fsx/safe-open.js';
import { StatusFileError, UnsafeStateFileError } from '../errors/state-errors.js';

export { StatusFileError };
import type { StatusRecord } from './schema.js';
import { statusShapeProblem } from './validate-status.js';


/** Parses status file content; throws StatusFileError naming the file and the problem. */
export const parseStatus = (file: string, text: string): StatusRecord => {
  if (text.length === 0) throw new StatusFileError(file, 'is empty', 'status_empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StatusFileError(file, 'is not valid JSON (truncated or damaged)', 'status_invalid_json');
  }
  return checkStatusShape(file, value);
};

/** A parsed status document, checked: the wrong shape is a StatusFileError naming `file`. */
export const checkStatusShape = (file: string, value: unknown): StatusRecord => {
  const problem = statusShapeProblem(value);
  if (problem) throw new StatusFileError(file, `has the wrong shape: ${problem}`, 'status_wrong_shape');
  return value as StatusRecord;
};

/** Reads a status file that must exist. */
export const readStatus = (file: string): StatusRecord => {
  const found = readStatusIfExists(file);
  if (!found) throw new StatusFileError(file, 'does not exist', 'status_missing');
  return found;
};

/**
 * Reads a status file; undefined only when there is no file at all (never dispatched).
 * A link, a foreign or git-tracked file is refused (UnsafeStateFileError), never read.
 */
export const readStatusIfExists = (file: string): StatusRecord | undefined => {
  let text: string | undefined;
  try {
    text = readStateFile(file);
  } catch (error) {
    if (error instanceof UnsafeStateFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new StatusFileError(file, `cannot be read (${code ?? String(error)})`, 'status_unreadable');
  }
  return text === undefined ? undefined : parseStatus(file, text);
};
