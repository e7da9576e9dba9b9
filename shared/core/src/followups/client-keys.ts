import { BadInputError } from '../errors/errors.js';
import type { StatusRecord } from '../status/schema.js';

/** How many recent client keys a task remembers (a retry comes soon after its first try). */
export const MAX_CLIENT_KEYS = 200;

export interface ClientKey {
  key: string;
  followup_id: string;
}

/** A sender's own name for one follow-up: retrying with it never queues it twice. */
export const checkClientKey = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new BadInputError(`${what} must be 1-200 printable characters without spaces, got ${JSON.stringify(value)}`, 'invalid_field', { field: 'client_key' });
  }
  return value;
};

/** The follow-up a key was first sent as, if the task remembers it. */
export const knownClientKey = (status: StatusRecord | undefined, key: string): ClientKey | undefined => status?.client_keys?.find((k) => k.key === key);

/** The task's keys with this one added last, the oldest dropped past MAX_CLIENT_KEYS. */
export const rememberClientKey = (keys: readonly ClientKey[] | null | undefined, key: string, followupId: string): ClientKey[] =>
  [...(keys ?? []).filter((k) => k.key !== key), { key, followup_id: followupId }].slice(-MAX_CLIENT_KEYS);
