import type { Identity } from '../liveness/identity.js';
import type { MonoStamp } from '../time/clock.js';
import type { WorktreeSetup } from '../worktree/worktree-setup.js';

export const STATES = ['starting', 'running', 'exited', 'failed', 'interrupted', 'stalled', 'worker_gone', 'stopped', 'limited'] as const;
export type RunState = (typeof STATES)[number];
export const LIVE_STATES: readonly RunState[] = ['starting', 'running'];
export const isTerminal = (state: RunState): boolean => !LIVE_STATES.includes(state);

/** Judged from the agent's final event and error flag first, the exit code second. */
export type Outcome = 'ok' | 'error' | 'interrupted' | 'session_not_found' | 'stalled' | 'timeout' | 'start_failed' | 'worker_gone' | 'stopped' | 'limited';

/** Outcomes that are not the task's failure: they never grow `failures`. */
export const NOT_FAILURES: readonly Outcome[] = ['ok', 'stopped', 'limited'];

/** The run ended on the account's limit: when it resets, and whose account it is. */
export interface LimitState {
  kind: 'rate' | 'usage' | 'overloaded';
  /** worker + a hash of the environment that picks its account (workers/account-key.ts). */
  account: string;
  /** When the wait ends, as the agent said or our backoff chose (wall clock, for people). */
  resets_at: string;
  /** The wait, measured on the monotonic clock from ended_mono: a clock jump cannot shorten it. */
  wait_ms: number;
  /** Limits in a row for this task: the backoff doubles with each. */
  streak: number;
}

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
  /** The sender's key (dispatch-continue --client-key): a retry with it is not queued again. */
  client_key?: string;
  /**
   * Set when a run carrying this follow-up ended without finishing it (a usage limit, a
   * lost lease, a supervisor or host that died): it waits at the head and runs next.
   */
  cut_off_at?: string;
}

/** What the supervisor needs to run the chain; fixed when the chain is claimed. */
export interface RunSpec {
  worker: string;
  worker_cmd: string | null;
  repo: string;
  worktree: string;
  branch: string;
  /** dispatch --base: the commit a new task branch starts from (default the main checkout's HEAD). */
  base?: string | null;
  /** dispatch --base: the REF as given. */
  base_ref?: string | null;
  stall_ms: number;
  max_run_ms: number;
  grace_ms: number;
  /** First wait after a limit with no reset time; doubles while limits repeat (TASK_MANAGER_LIMIT_BACKOFF_SECONDS). */
  limit_backoff_ms?: number;
  /** The task's cost budget (task file max_cost_usd, --max-cost-usd): reaching it holds the task. */
  max_cost_usd?: number | null;
  /** Passed to the agents that take it (claude --max-turns). */
  max_turns?: number | null;
  /** The operator's event hook (--on-event), run by the supervisor for the chain's events. */
  on_event?: string | null;
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
  /** The last run ended on a rate or usage limit (outcome `limited`). */
  limit?: LimitState | null;
  /** What every run of this task has cost, summed (cost_usd is the last run's). */
  cost_total_usd?: number | null;
  /**
   * Set by a store with leases when it reads a status (never written): whether the
   * chain's lease was still in force by the database's clock at that read.
   */
  lease?: { expires_at: string | null; live: boolean } | null;
  /** The senders' keys of recent follow-ups (followups/client-keys.ts): a retry is not queued twice. */
  client_keys?: { key: string; followup_id: string }[] | null;
  /** The branch the current or last run started on (the worktree is checked before each run). */
  branch?: string | null;
  /** The commit the current or last run started from (the worktree's HEAD then). */
  base_commit?: string | null;
  /** What preparing this chain's worktree found and did (created or reused, warnings). */
  worktree_setup?: WorktreeSetup | null;
}
