import fs from 'node:fs';
import path from 'node:path';
import { randomHex } from '../ids/random.js';
import { refuseTracked } from './tracked-files.js';

/** Files hold prompts and agent output, which can be private: owner only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export const ensureDir = (dir: string): void => {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
};

const fsyncDir = (dir: string): void => {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
};

/**
 * Replaces `file` whole: write a temp file beside it, fsync, rename over, fsync the
 * directory. A reader sees the old content or the new, never a mix; a crash or a
 * full disk leaves the old file byte-identical and no temp file behind.
 */
export const writeFileAtomic = (file: string, content: string, options: { trackedCheck?: boolean } = {}): void => {
  const dir = path.dirname(file);
  // The rename replaces a link or a foreign file rather than writing through it; a
  // file git tracks is not ours to replace at all (inside .git nothing is tracked: no check).
  if (options.trackedCheck !== false) refuseTracked(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomHex(4)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, FILE_MODE);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(dir);
};
