import { setTimeout as sleep } from 'node:timers/promises';
import { FailureError } from '../errors/errors.js';
import { readStat } from './proc.js';
import { runProcesses, type RunHandle } from './run-processes.js';

// The only signals a stop sends: the polite ones an adapter may ask for, then SIGKILL.
const POLITE: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface StopOptions {
  graceMs: number;
  /** Claude ends a turn cleanly (a final result event) on SIGINT, so it gets SIGINT first. */
  firstSignals?: NodeJS.Signals[];
  /** How long to wait for the kernel to clear the group after SIGKILL. */
  killWaitMs?: number;
}

export interface StopResult {
  /** The run had live processes when asked. */
  signalled: boolean;
  /** SIGKILL was needed. */
  killed: boolean;
}

type Signalled = Map<number, string>;

const signalRun = (run: RunHandle, signal: NodeJS.Signals, signalled: Signalled): void => {
  for (const p of runProcesses(run)) {
    // Re-read right before the signal: the process must still be the one just matched.
    const now = readStat(p.pid);
    if (!now || now.startTime !== p.startTime) continue;
    try {
      process.kill(p.pid, signal);
      signalled.set(p.pid, p.startTime);
    } catch {
      // Exited in between: nothing to stop.
    }
  }
};

// A process that is exiting loses its environment (so its token) before it is gone:
// every process signalled must also be gone, or a zombie, before the run counts as stopped.
const gone = (pid: number, startTime: string): boolean => {
  const now = readStat(pid);
  return !now || now.startTime !== startTime || now.state === 'Z' || now.state === 'X';
};

const waitEmpty = async (run: RunHandle, ms: number, signalled: Signalled): Promise<boolean> => {
  const deadline = performance.now() + ms;
  for (;;) {
    if (runProcesses(run).length === 0 && [...signalled].every(([pid, start]) => gone(pid, start))) return true;
    if (performance.now() >= deadline) return false;
    await sleep(Math.min(25, Math.max(1, deadline - performance.now())));
  }
};

/**
 * Stops every process of a run: the polite signals, a grace period, SIGKILL, and then
 * a check that nothing is left. Throws if something survives SIGKILL (a process stuck
 * in the kernel), because starting another run beside it would break the one-worker rule.
 */
export const stopRun = async (run: RunHandle, options: StopOptions): Promise<StopResult> => {
  if (runProcesses(run).length === 0) return { signalled: false, killed: false };
  // Whatever asked for them (an adapter looked up by a name a status file holds), only
  // SIGINT and SIGTERM are sent before SIGKILL.
  const asked = (options.firstSignals ?? []).filter((s) => POLITE.includes(s));
  const signals: NodeJS.Signals[] = asked.length > 0 ? asked : ['SIGTERM'];
  const share = options.graceMs / signals.length;
  const signalled: Signalled = new Map();
  for (const signal of signals) {
    signalRun(run, signal, signalled);
    if (await waitEmpty(run, share, signalled)) return { signalled: true, killed: false };
  }
  signalRun(run, 'SIGKILL', signalled);
  if (await waitEmpty(run, options.killWaitMs ?? 5000, signalled)) return { signalled: true, killed: true };
  const left = [...new Set([...runProcesses(run).map((p) => p.pid), ...[...signalled].filter(([pid, start]) => !gone(pid, start)).map(([pid]) => pid)])];
  throw new FailureError(`processes ${left.join(', ')} survived SIGKILL; not starting anything beside them`, 'stop_failed', {
    pids: left,
  });
};
