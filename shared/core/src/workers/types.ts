import type { LimitSignal } from './limit-signal.js';
import type { Outcome, RunState } from '../status/schema.js';

/** What the supervisor asks an adapter to run. */
export interface RunRequest {
  prompt: string;
  /** The task's worktree: the cwd of the run, and the scope of Claude/Gemini sessions. */
  worktree: string;
  slug: string;
  /** Resume this agent session; null or undefined starts a fresh one. */
  resumeSessionId?: string | null;
  /** For the `command` worker: "PROGRAM ARGS..." as given by --worker-cmd. */
  workerCmd?: string | null;
  /** Turns the agent may take (claude --max-turns); others ignore it. */
  maxTurns?: number | null;
  /** What the run may still spend (claude --max-budget-usd); others ignore it. */
  maxBudgetUsd?: number | null;
}

/** A program and its argv, never passed through a shell. */
export interface Invocation {
  file: string;
  args: string[];
  /** A session id chosen before the run (Claude, Gemini, demo); recorded before spawning. */
  sessionId?: string;
  /** Extra environment for the worker. */
  env?: Record<string, string>;
  /**
   * Text the worker reads on its stdin (then end of file): the prompt, for agents that
   * take it there, so it is not on the command line that `ps` shows every user.
   * Undefined: stdin is /dev/null.
   */
  stdin?: string;
}

/** What the supervisor learned from a run's output. */
export interface Observation {
  sessionId?: string;
  /** The agent's final event (Claude `result`, Codex `turn.completed`/`turn.failed`, Gemini `result`). */
  final?: { isError: boolean; text?: string; reason?: string };
  /** Claude reports this on its final event; others report tokens only. */
  costUsd?: number;
  /** The agent said the session to resume does not exist. */
  sessionNotFound: boolean;
  /** The agent ended its turn because it was interrupted (Claude: terminal_reason aborted_streaming). */
  aborted: boolean;
  /** The agent said its account hit a rate or usage limit, or the service was overloaded. */
  limit?: LimitSignal;
}

/** Fed every line of a run's output (stdout and stderr, in order). */
export interface StreamParser {
  line(text: string): void;
  readonly observed: Observation;
}

export interface WorkerAdapter {
  name: string;
  /** Signals that stop a run politely, in order, before SIGKILL. */
  stopSignals: NodeJS.Signals[];
  /** The agent keeps sessions that a later run can resume. */
  resumable: boolean;
  invocation(request: RunRequest): Invocation;
  parser(): StreamParser;
}

/** Why the supervisor stopped a run itself, if it did. */
export type StopCause = 'interrupt' | 'shutdown' | 'stall' | 'timeout' | 'stop' | 'lease';

export interface RunEnd {
  exitCode: number | null;
  signal: string | null;
  observed: Observation;
  stoppedBy?: StopCause;
  /** The program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  /** The last line of output that is not an agent event: usually why it failed. */
  lastLine?: string;
}

export interface Verdict {
  state: Exclude<RunState, 'starting' | 'running' | 'worker_gone'>;
  outcome: Outcome;
  reason: string | null;
}
