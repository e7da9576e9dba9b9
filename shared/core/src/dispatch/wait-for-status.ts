import type { StatusRecord } from '../status/schema.js';
import type { Store } from '../store/store.js';

/**
 * Resolves with the first status of `slug` for which `done` is true, or the last one
 * seen when `timeoutMs` passes. Woken by the store's change notices, with a fast poll
 * behind them (notices can be coalesced or lost).
 */
export const waitForStatus = (
  store: Store,
  slug: string,
  done: (status: StatusRecord) => boolean,
  timeoutMs: number,
  /** Stop waiting when this settles (the writer died): one last read, then resolve. */
  giveUp?: Promise<unknown>,
): Promise<{ status: StatusRecord | undefined; timedOut: boolean; gaveUp?: boolean }> =>
  new Promise((resolve) => {
    let last: StatusRecord | undefined;
    let finished = false;
    let reading: Promise<void> | undefined;
    let again = false;
    // One read at a time; a notice during a read asks for one more after it, and every
    // caller (the last look after the writer died, above all) waits for that one too.
    const check = (): Promise<void> => {
      if (finished) return Promise.resolve();
      if (reading) {
        again = true;
        return reading;
      }
      reading = (async () => {
        do {
          again = false;
          try {
            last = (await store.readStatus(slug)) ?? last;
          } catch {
            // A damaged status is the caller's to report; a dropped connection is retried by the poll.
          }
          if (last && done(last)) finish(false);
        } while (again && !finished);
      })().finally(() => {
        reading = undefined;
      });
      return reading;
    };
    const finish = (timedOut: boolean, gaveUp = false) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      watch.close();
      resolve({ status: last, timedOut, ...(gaveUp ? { gaveUp } : {}) });
    };
    const watch = store.watch((change) => {
      if (change.slug === undefined || change.slug === slug) void check();
    }, { pollMs: 100, onPoll: () => void check(), slug });
    const timer = setTimeout(() => finish(true), timeoutMs);
    void giveUp?.then(async () => {
      await check();
      finish(false, true);
    });
    void check();
  });
