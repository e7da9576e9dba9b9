import { randomBytes } from 'node:crypto';
import { isoFromMs, nowMs } from '../time/clock.js';

/** A sortable, readable id: `<prefix>-20261124T220300Z-a1b2c3`. */
export const newId = (prefix: string): string => {
  const stamp = isoFromMs(nowMs()).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
};

/** The per-run secret a worker carries in TASK_MANAGER_RUN_TOKEN. */
export const newToken = (): string => randomBytes(16).toString('hex');
