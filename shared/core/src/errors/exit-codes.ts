/**
 * Exit codes are an interface: the same number means the same thing in every bin.
 * When one batch meets several outcomes, the bin exits with the most severe one
 * (see worstExitCode).
 */
export const EXIT = {
  ok: 0,
  /** Something outside the input went wrong: I/O, git, a lock that could not be taken. */
  failure: 1,
  /** A bad flag, a missing argument, a bad environment value. Nothing was done. */
  usage: 2,
  /** A task already has a live worker (or an orphan); nothing was started or changed for it. */
  conflict: 3,
  /** Some input (NDJSON line, slug, task file, state file) was bad; the good records still went through. */
  badInput: 4,
  /** A run that was waited for (--wait, --until-done) did not end successfully. */
  runFailed: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// Most severe first. A usage error means nothing ran; a failure means the tool itself broke.
const severity: ExitCode[] = [EXIT.usage, EXIT.failure, EXIT.badInput, EXIT.conflict, EXIT.runFailed, EXIT.ok];

export const worstExitCode = (codes: Iterable<ExitCode>): ExitCode => {
  let worst: ExitCode = EXIT.ok;
  for (const code of codes) {
    if (severity.indexOf(code) < severity.indexOf(worst)) worst = code;
  }
  return worst;
};
