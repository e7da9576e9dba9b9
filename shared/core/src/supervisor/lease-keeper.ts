import type { LeaseApi } from '../store/store.js';
import { monotonicMs } from '../time/clock.js';

export type { LeaseApi };

export interface LeaseKeeper {
  /** How long the run may still go on without another renewal (ms, monotonic). */
  remainingMs(): number;
  stop(): void;
}

// The self-fencing check never waits on the network: a timer on the local clock.
const CHECK_MS = 50;

/**
 * Keeps a claimed task's lease: renews every ttl/4, and measures its own deadline on the
 * monotonic clock from the SEND time of the last renewal that succeeded (the lease was
 * extended no earlier than that), minus the margin. Past the deadline — the database
 * unreachable, the host cut off, the process stalled — `onLost` is called at once, before
 * any other host may take the lease: the supervisor stops its run (self-fencing). A
 * renewal answered "not yours" is lost at once too. `onRenewed` gets the new budget (for
 * the guard that kills the run if this process freezes).
 */
export const keepLease = (
  lease: LeaseApi,
  slug: string,
  fence: number,
  /** The send time of the write that last set the lease (the supervisor's first fenced update). */
  sentMono: number,
  events: { onLost: (reason: string) => void; onRenewed: (budgetMs: number) => void },
): LeaseKeeper => {
  let lastSent = sentMono;
  let lost = false;
  let inFlight = false;
  const deadline = () => lastSent + lease.ttlMs - lease.marginMs;
  const lose = (reason: string) => {
    if (lost) return;
    lost = true;
    stop();
    events.onLost(reason);
  };
  const renew = async () => {
    if (lost || inFlight) return;
    inFlight = true;
    const sent = monotonicMs();
    try {
      if (await lease.renew(slug, fence)) {
        lastSent = Math.max(lastSent, sent);
        if (!lost) events.onRenewed(deadline() - monotonicMs());
      } else lose(`the lease of task ${slug} (fence ${fence}) is no longer ours: it expired or another host claimed the task`);
    } catch {
      // The database is out of reach: the next renewal tries again; the deadline decides.
    } finally {
      inFlight = false;
    }
  };
  const check = setInterval(() => {
    if (monotonicMs() > deadline()) lose(`the lease of task ${slug} was not renewed in time (${lease.ttlMs} ms lease, ${lease.marginMs} ms margin): stopping the run before another host may take it`);
  }, CHECK_MS);
  const renewal = setInterval(() => void renew(), Math.max(CHECK_MS, Math.floor(lease.ttlMs / 4)));
  const stop = () => {
    clearInterval(check);
    clearInterval(renewal);
  };
  void renew();
  return { remainingMs: () => deadline() - monotonicMs(), stop };
};
