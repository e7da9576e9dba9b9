import fs from 'node:fs';
import { openStateFile } from '../fsx/safe-open.js';
import { LogRender } from './log-render.js';

/**
 * What a live worker last said, as a person would read it: the tail of its log (8 KiB,
 * never the whole file) through the worker's renderer, the last line that shows
 * something. Raw stream-json is no use in a table cell.
 */
export const lastSaid = (log: string, worker: string | undefined, tailBytes = 8192): string | null => {
  let fd: number | undefined;
  try {
    fd = openStateFile(log, 'read');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // a partial first line
    const render = new LogRender(worker);
    let last: string | null = null;
    for (const raw of lines) {
      const shown = render.line(raw);
      for (const line of (shown ?? '').split('\n')) if (line.trim() !== '') last = line.trim();
    }
    return last;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};
