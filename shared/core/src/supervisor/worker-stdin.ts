import fs from 'node:fs';
import path from 'node:path';
import { openStateFile } from '../fsx/safe-open.js';
import { randomHex } from '../ids/random.js';

/**
 * A descriptor holding `text`, to give a worker as its stdin: a file created owner-only
 * (O_EXCL) in the state directory, written, and unlinked at once, so no name of it
 * remains and only the worker (and root) can read it. A file rather than a pipe: the
 * worker reads all of it even if the supervisor dies before the worker gets to it, and
 * an agent that waits for input on a pipe sees end of file at once. The caller closes
 * the descriptor once the child has it.
 */
export const stdinFile = (dir: string, text: string): number => {
  const file = path.join(dir, `.stdin-${process.pid}-${randomHex(6)}`);
  const fd = openStateFile(file, 'createRead');
  try {
    fs.unlinkSync(file);
    const bytes = Buffer.from(text, 'utf8');
    // pwrite at 0: the descriptor's own offset stays at 0, where the worker starts reading.
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, done);
    return fd;
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw error;
  }
};
