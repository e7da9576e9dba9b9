import { UsageError } from '../errors/errors.js';

/** A non-negative number from a flag or an environment variable, named in the error. */
export const parseNonNegative = (name: string, raw: string, { integer = false } = {}): number => {
  const trimmed = raw.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number' : 'a number';
    throw new UsageError(`${name} must be ${kind} >= 0, got ${JSON.stringify(raw)}`, { name, value: raw });
  }
  return value;
};
