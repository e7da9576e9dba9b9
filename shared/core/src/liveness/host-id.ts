import os from 'node:os';
import { UsageError } from '../errors/errors.js';
import { bootId } from './proc.js';

let cached: string | undefined;

/**
 * This host's name among the hosts that share a store: TASK_MANAGER_HOST_ID, else the
 * hostname and the first part of the boot id (a rebooted host is a new holder: whatever
 * it ran before the reboot is gone). Statuses, history and dispatch-watch show it.
 */
export const hostId = (): string => {
  if (cached !== undefined) return cached;
  const given = process.env.TASK_MANAGER_HOST_ID;
  if (given !== undefined && given !== '') {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(given)) {
      throw new UsageError(`TASK_MANAGER_HOST_ID must be 1-100 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(given)}`, { name: 'TASK_MANAGER_HOST_ID' });
    }
    cached = given;
  } else {
    cached = `${os.hostname()}-${bootId().slice(0, 8)}`;
  }
  return cached;
};
