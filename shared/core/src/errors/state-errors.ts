import { BadInputError, TaskManagerError } from './errors.js';

/** A status file that exists but cannot be trusted. Never read as "no worker". */
export class StatusFileError extends BadInputError {
  constructor(file: string, problem: string, code: string) {
    const hint = code === 'status_missing' ? 'was the task ever dispatched?' : 'inspect it (its history is beside it) before moving it away';
    super(`status file ${file} ${problem}; ${hint}`, code, { file });
  }
}

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

/** The chain was claimed by someone else: this supervisor must stop without acting. */
export class FenceLostError extends TaskManagerError {
  constructor(slug: string, fence: number) {
    super(`task ${slug}: fence ${fence} is no longer current; another chain owns the task`, 'fence_lost');
  }
}
