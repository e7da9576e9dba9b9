import { BadInputError } from '../errors/errors.js';

/** An optional string field of an input record; anything else is bad input naming the field. */
export const optionalString = (record: Record<string, unknown>, field: string): string | undefined => {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new BadInputError(`field "${field}" must be a non-empty string`, 'invalid_field', { field });
  }
  return value;
};
