import { watchPath } from '../fsx/watch-path.js';
import path from 'node:path';
import type { SlugPaths } from '../paths/state-paths.js';
import { readStatusIfExists } from '../status/read-status.js';
import type { StatusRecord } from '../status/schema.js';

/**
 * Resolves with the first status for which `done` is true, or the last one seen when
 * `timeoutMs` passes. Woken by fs.watch on the state directory, with a slow poll as a
 * safety net (watch events can be coalesced or missed on some file systems).
 */
export const waitForStatus = (
  paths: SlugPaths,
  done: (status: StatusRecord) => boolean,
  timeoutMs: number,
  /** Stop waiting when this settles (the writer died): one last read, then resolve. */
  giveUp?: Promise<unknown>,
): Promise<{ status: StatusRecord | undefined; timedOut: boolean; gaveUp?: boolean }> =>
  new Promise((resolve) => {
    let last: StatusRecord | undefined;
    let finished = false;
    const name = path.basename(paths.status);
    const check = () => {
      if (finished) return;
      try {
        last = readStatusIfExists(paths.status) ?? last;
      } catch {
        // Mid-rename reads cannot happen (atomic replace); a damaged file is the caller's to report.
      }
      if (last && done(last)) finish(false);
    };
    const finish = (timedOut: boolean, gaveUp = false) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      watch.close();
      resolve({ status: last, timedOut, ...(gaveUp ? { gaveUp } : {}) });
    };
    const watch = watchPath(path.dirname(paths.status), check, { names: (file) => file === name, pollMs: 100 });
    const timer = setTimeout(() => finish(true), timeoutMs);
    void giveUp?.then(() => {
      check();
      finish(false, true);
    });
    check();
  });
