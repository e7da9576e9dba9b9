import type { Identity } from '../liveness/identity.js';
import type { MonoStamp } from '../time/clock.js';

export const STATES = ['starting', 'running', 'exited', 'failed', 'interrupted', 'stalled', 'worker_gone', 'stopped'] as const;
export type RunState = (typeof STATES)[number];
export const LIVE_STATES: readonly RunState[] = ['starting', 'running'];
export const isTerminal = (state: RunState): boolean => !LIVE_STATES.includes(state);

/** Judged from the agent's final event and error flag first, the exit code second. */
export type Outcome = 'ok' | 'error' | 'interrupted' | 'session_not_found' | 'stalled' | 'timeout' | 'start_failed' | 'worker_gone' | 'stopped';

/** Outcomes that are not the task's failure: they never grow `failures`. */
export const NOT_FAILURES: readonly Outcome[] = ['ok', 'stopped'];

/** An operator's hold (dispatch-stop): the task is not retried or picked up until released. */
export interface Hold {
  by: string;
  at: string;
  reason: string;
}

export interface Followup {
  id: string;
  prompt: string;
  mode: 'queue' | 'interrupt';
  queued_at: string;
  /** For an interrupt: the SIGTERM-to-SIGKILL grace for stopping the current run. */
  grace_ms?: number;
}

/** What the supervisor needs to run the chain; fixed when the chain is claimed. */
export interface RunSpec {
  worker: string;
  worker_cmd: string | null;
  repo: string;
  worktree: string;
  branch: string;
  stall_ms: number;
  max_run_ms: number;
  grace_ms: number;
}

/** dispatch-<slug>.status.json: replaced whole on every write. */
export interface StatusRecord {
  type: 'status';
  version: 1;
  slug: string;
  state: RunState;
  /** Increments on every claim; a supervisor whose fence is not the file's stops. */
  fence: number;
  run_id: string | null;
  /** Runs started for this task, ever. */
  attempt: number;
  /** Consecutive runs that did not end ok; drives the retry cooldown and gave_up. */
  failures: number;
  /** Per-run secret in the worker's environment (TASK_MANAGER_RUN_TOKEN). */
  token: string | null;
  /** The supervisor (or, until it starts, the process that claimed the slug). */
  owner: Identity | null;
  /** The worker: its pid is also its process group id. */
  worker: Identity | null;
  spec: RunSpec | null;
  /** The prompt of the current or last run. */
  prompt: string | null;
  session_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
  /** Monotonic stamp of ended_at: cooldowns measured from it survive wall-clock jumps. */
  ended_mono?: MonoStamp | null;
  last_output_at: string | null;
  exit_code: number | null;
  signal: string | null;
  outcome: Outcome | null;
  reason: string | null;
  cost_usd: number | null;
  /** Follow-ups waiting for the next run, oldest first (interrupts go first). */
  followups: Followup[];
  /** The follow-up the current or last run is carrying out. */
  followup_id: string | null;
  /** Set by dispatch-continue --interrupt; the supervisor stops the run and clears it. */
  interrupt_requested: string | null;
  /** An operator cleared gave_up; counts start over from here. */
  cleared_at?: string | null;
  /** Set by dispatch-stop: not retried, not picked up by hb-tick, until released. */
  held?: Hold | null;
  /** Set by dispatch-stop on a live run (its run id): the supervisor stops it and starts nothing after. */
  stop_requested?: string | null;
}
