import { isoFromMs, nowMs } from '../time/clock.js';
import { randomHex } from './random.js';

/** A sortable, readable id: `<prefix>-20261124T220300Z-a1b2c3`. */
export const newId = (prefix: string): string => {
  const stamp = isoFromMs(nowMs()).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}-${randomHex(3)}`;
};

/** The per-run secret a worker carries in TASK_MANAGER_RUN_TOKEN. */
export const newToken = (): string => randomHex(16);
