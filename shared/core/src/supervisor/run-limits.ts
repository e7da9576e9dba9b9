import { watchPath } from '../fsx/watch-path.js';
import { monotonicMs } from '../time/clock.js';

// A slow poll beside fs.watch: watch events can be coalesced or missed.
const POLL_MS = 500;

export interface RunLimitsOptions {
  /** The run's log: a change wakes `poll` at once. */
  log: string;
  /** Reads new output (and calls back for it); called on every wake-up. */
  poll: () => void;
  /** Monotonic ms of the run's last output. */
  lastOutput: () => number;
  startedMono: number;
  stallMs: number;
  maxRunMs: number;
  onStall: () => void;
  onTimeout: () => void;
}

/**
 * Follows a run's log and enforces its stall and run-time limits (0 = none) until
 * stop() is called. stop() ends both the poll and the log watcher: a watcher left
 * behind would keep polling a follower that is already closed.
 */
export const startRunLimits = (options: RunLimitsOptions): { stop(): void } => {
  const check = () => {
    options.poll();
    const now = monotonicMs();
    if (options.stallMs > 0 && now - options.lastOutput() > options.stallMs) options.onStall();
    else if (options.maxRunMs > 0 && now - options.startedMono > options.maxRunMs) options.onTimeout();
  };
  const watch = watchPath(options.log, () => options.poll(), { pollMs: Math.min(POLL_MS, Math.max(50, options.stallMs / 4 || POLL_MS)), onPoll: check });
  return { stop: () => watch.close() };
};
