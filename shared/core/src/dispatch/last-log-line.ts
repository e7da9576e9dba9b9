import fs from 'node:fs';

/** The last non-empty line of a log, read from its tail only (a log can be large). */
export const lastLogLine = (file: string, tailBytes = 8192): string | undefined => {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return lines.at(-1);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};
