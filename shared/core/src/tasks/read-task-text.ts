import fs from 'node:fs';
import { BadInputError } from '../errors/errors.js';

/** A task file is a page of text, not a stream: anything larger is refused unread. */
export const MAX_TASK_FILE_BYTES = 1024 * 1024;

/**
 * Reads a task file that must be a regular file of at most 1 MiB. A task file is data
 * someone committed: a symlink to /dev/zero or a FIFO must not take the heartbeat's
 * memory or block it (O_NONBLOCK, then fstat before reading a byte).
 */
export const readTaskText = (file: string): string => {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new BadInputError(`task file ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`, 'invalid_task', { file });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new BadInputError(`task file ${file} is not a regular file`, 'invalid_task', { file });
    if (stat.size > MAX_TASK_FILE_BYTES) {
      throw new BadInputError(`task file ${file} is ${stat.size} bytes, over the ${MAX_TASK_FILE_BYTES}-byte limit`, 'invalid_task', { file });
    }
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_TASK_FILE_BYTES) + 1);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    if (n > MAX_TASK_FILE_BYTES) throw new BadInputError(`task file ${file} grew past the ${MAX_TASK_FILE_BYTES}-byte limit`, 'invalid_task', { file });
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
};
