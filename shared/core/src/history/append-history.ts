import fs from 'node:fs';
import { openStateFile } from '../fsx/safe-open.js';
import { nowIso } from '../time/clock.js';

export interface HistoryEvent {
  event: string;
  slug: string;
  [field: string]: unknown;
}

const endsWithNewline = (fd: number): boolean => {
  const { size } = fs.fstatSync(fd);
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
};

/**
 * Appends one record as one write(2) on an O_APPEND descriptor, so concurrent writers
 * never interleave. If the file ends in a torn line (a writer died mid-write, or the
 * disk filled), the record starts on a fresh line instead of being glued onto it.
 */
export const appendHistory = (file: string, event: HistoryEvent): void => {
  const line = `${JSON.stringify({ type: 'history', ts: nowIso(), ...event })}\n`;
  // Never through a link, into a foreign or a committed file (fsx/safe-open.ts).
  const fd = openStateFile(file, 'appendRead');
  try {
    const text = endsWithNewline(fd) ? line : `\n${line}`;
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
};
