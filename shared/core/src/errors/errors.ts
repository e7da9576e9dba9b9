import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * Every error a tool expects carries its exit code and a machine-readable `code`.
 * Only the bin layer (cli/run-bin.ts) turns these into messages and exit codes.
 */
export class TaskManagerError extends Error {
  readonly exitCode: ExitCode = EXIT.failure;
  constructor(
    message: string,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag, argument or environment value. */
export class UsageError extends TaskManagerError {
  override readonly exitCode = EXIT.usage;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'usage', details);
  }
}

/** A record, slug, task file or state file that cannot be used as it is. */
export class BadInputError extends TaskManagerError {
  override readonly exitCode = EXIT.badInput;
}

/** The task already has a live holder; nothing was changed. */
export class ConflictError extends TaskManagerError {
  override readonly exitCode = EXIT.conflict;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'conflict', details);
  }
}

/** The task is held by an operator (dispatch-stop): the heartbeat leaves it alone. */
export class HeldError extends TaskManagerError {
  override readonly exitCode = EXIT.conflict;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'held', details);
  }
}

/** The worker's account is limited (a rate or usage limit in force): not started without --force. */
export class LimitedError extends TaskManagerError {
  override readonly exitCode = EXIT.conflict;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'limited', details);
  }
}

/** The tool could not do its job for reasons outside the input (I/O, git, lock). */
export class FailureError extends TaskManagerError {}

/** Another process holds the lock, and the caller asked not to wait (a second tick skips). */
export class LockBusyError extends FailureError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'lock_busy', details);
  }
}

/** The critical section's lock was lost (compromised or stolen): abort without writing. */
export class LockLostError extends FailureError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'lock_lost', details);
  }
}

export const exitCodeOf = (error: unknown): ExitCode =>
  error instanceof TaskManagerError ? error.exitCode : EXIT.failure;
