import { FailureError } from '../errors/errors.js';
import { ensureDir } from './atomic-write.js';

/** errno codes that say "this directory will not take writes", as opposed to contention. */
export const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST']);

/** Creates the state directory (0700) or says in one line why it cannot be. */
export const ensureStateDir = (dir: string): void => {
  try {
    ensureDir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FailureError(`cannot create the state directory ${dir} (${code}); fix its parent's permissions or choose another with --state-dir`, 'state_dir_unwritable', { state_dir: dir, errno: code });
  }
};
