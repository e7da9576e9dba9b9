import fs from 'node:fs';
import { openStateFile } from './safe-open.js';

/**
 * The whole lines in the last `tailBytes` of a state file (a log can be large: only its
 * tail is read), through the safe opener; a partial first line is dropped. Empty when
 * there is no such file or it cannot be read.
 */
export const readTailLines = (file: string, tailBytes = 8192): string[] => {
  let fd: number | undefined;
  try {
    fd = openStateFile(file, 'read');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift();
    return lines;
  } catch {
    return [];
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};
