import fs from 'node:fs';
import { FailureError } from '../errors/errors.js';
import { DIR_MODE } from './atomic-write.js';
import { UnsafeStateDirError } from '../errors/state-errors.js';

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * Refuses a state directory that is not a plain directory owned by the current user and
 * closed to writes by group and others. Whoever can write there can plant the files the
 * tools act on (a status naming processes to signal, a link to a file to append to).
 * A directory that does not exist yet is fine: the tools create it 0700.
 */
export const checkStateDir = (dir: string): void => {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isSymbolicLink()) {
    let target = '?';
    try {
      target = fs.readlinkSync(dir);
    } catch {}
    throw new UnsafeStateDirError(dir, `is a symbolic link (to ${target})`, 'give the real directory with --state-dir (or TASK_MANAGER_STATE_DIR) once you have checked it is yours');
  }
  if (!st.isDirectory()) throw new UnsafeStateDirError(dir, 'is not a directory', 'move it away, or choose another --state-dir');
  const me = process.getuid?.();
  if (me !== undefined && st.uid !== me) {
    throw new UnsafeStateDirError(dir, `is owned by uid ${st.uid}, not by you (uid ${me})`, 'use a state directory of your own (--state-dir DIR)');
  }
  if (st.mode & 0o022) {
    throw new UnsafeStateDirError(dir, `is writable by group or others (mode ${octal(st.mode)})`, `make it yours alone: chmod 700 ${dir}`);
  }
};

/** errno codes that say "this directory will not take writes", as opposed to contention. */
export const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST']);

/**
 * Creates the state directory (0700, parents too) if missing, then checks it. One that
 * cannot be created is named with its errno: a setup problem, never an internal error.
 */
export const ensureStateDir = (dir: string): void => {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FailureError(`cannot create the state directory ${dir} (${code}); fix its parent's permissions or choose another with --state-dir`, 'state_dir_unwritable', { state_dir: dir, errno: code });
  }
  checkStateDir(dir);
};
