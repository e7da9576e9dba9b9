import { BadInputError } from '../errors/errors.js';

/**
 * A state file the tools will not open: a symbolic link, not a regular file, another
 * user's, hard-linked, or tracked by git. What sits in a state directory is data the
 * tools wrote themselves; anything else could point a write or a signal elsewhere.
 */
export class UnsafeStateFileError extends BadInputError {
  constructor(file: string, problem: string, fix: string) {
    super(`refusing state file ${file}: it ${problem}; ${fix}`, 'unsafe_state_file', { file });
  }
}

/** A state directory that others could write into, or that is not a plain directory of ours. */
export class UnsafeStateDirError extends BadInputError {
  constructor(dir: string, problem: string, fix: string) {
    super(`refusing state directory ${dir}: it ${problem}; ${fix}`, 'unsafe_state_dir', { dir });
  }
}
