import { TaskManagerError } from '../errors/errors.js';
import { nowIso } from '../time/clock.js';

/** `{"type":"error", ...}`: what went wrong, where, and for which slug. */
export interface ErrorRecord {
  type: 'error';
  code: string;
  message: string;
  ts: string;
  slug?: string;
  source?: string;
  [field: string]: unknown;
}

export const errorRecord = (error: unknown, context: { slug?: string; source?: string } = {}): ErrorRecord => {
  if (error instanceof TaskManagerError) {
    const details = Object.fromEntries(Object.entries(error.details).filter(([, v]) => v !== undefined));
    return { type: 'error', code: error.code, message: error.message, ts: nowIso(), ...context, ...details };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'error', code: 'internal', message, ts: nowIso(), ...context };
};
