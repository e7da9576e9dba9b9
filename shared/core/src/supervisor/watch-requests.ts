import type { Store } from '../store/store.js';

export interface RequestWatch {
  close(): void;
}

// Behind the store's notices, the status is read again this often.
const POLL_MS = 1000;

/**
 * How the supervisor hears an operator: dispatch-continue --interrupt and dispatch-stop
 * write a request into the task's status; every change to this task's status (and a
 * slow poll, for notices that were lost) calls `check`, which reads and acts.
 */
export const watchRequests = (store: Store, slug: string, check: () => Promise<void>): RequestWatch => {
  const run = () => void check().catch(() => undefined);
  const watch = store.watch((change) => {
    if (change.slug === undefined || change.slug === slug) run();
  }, { pollMs: POLL_MS, onPoll: run, unref: true, slug });
  return { close: () => watch.close() };
};
