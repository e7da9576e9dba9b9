/**
 * Every setting the tools share: its flag, its environment variable and its default.
 * Flags override the environment, the environment overrides the default. The seed's
 * variable names are kept as they were.
 */
export interface SettingSpec {
  flag: string;
  env: string;
  /** Seconds, counts and names; paths default relative to the repository. */
  default: number | string | undefined;
  kind: 'seconds' | 'count' | 'string' | 'path' | 'boolean';
  help: string;
}

export const SETTINGS = {
  stateDir: { flag: 'state-dir', env: 'TASK_MANAGER_STATE_DIR', default: 'tasks/logs', kind: 'path', help: 'state directory (status, history, logs)' },
  store: { flag: 'store', env: 'TASK_MANAGER_STORE', default: 'file', kind: 'string', help: 'where statuses, queues and history live: file (the state directory) or a postgres:// URL' },
  tasksDir: { flag: 'tasks-dir', env: 'TASK_MANAGER_TASKS_DIR', default: 'tasks', kind: 'path', help: 'task files (tasks/*.md)' },
  worktreesDir: { flag: 'worktrees-dir', env: 'TASK_MANAGER_WORKTREES_DIR', default: '.worktrees', kind: 'path', help: 'one git worktree per task' },
  worker: { flag: 'worker', env: 'TASK_MANAGER_WORKER', default: 'claude', kind: 'string', help: 'claude, codex, gemini, demo or command' },
  workerCmd: { flag: 'worker-cmd', env: 'TASK_MANAGER_WORKER_CMD', default: undefined, kind: 'string', help: 'any program as the worker ("PROGRAM ARGS...", {prompt} is replaced)' },
  allowTaskCommands: { flag: 'allow-task-commands', env: 'TASK_MANAGER_ALLOW_TASK_COMMANDS', default: undefined, kind: 'boolean', help: 'let task files run a program (worker: command with worker_cmd); off by default' },
  limitBackoff: { flag: 'limit-backoff', env: 'TASK_MANAGER_LIMIT_BACKOFF_SECONDS', default: 900, kind: 'seconds', help: 'wait after a rate or usage limit with no reset time (doubles while limits repeat, capped at 6 h)' },
  maxCostUsd: { flag: 'max-cost-usd', env: 'TASK_MANAGER_MAX_COST_USD', default: undefined, kind: 'string', help: "a task's cost budget in USD, all runs together: reaching it holds the task" },
  maxTurns: { flag: 'max-turns', env: 'TASK_MANAGER_MAX_TURNS', default: undefined, kind: 'string', help: 'turns per run, for the agents that take a limit (claude)' },
  dispatchTimeout: { flag: 'timeout', env: 'TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS', default: 45, kind: 'seconds', help: 'how long a dispatch waits for its worker to start' },
  onEvent: { flag: 'on-event', env: 'TASK_MANAGER_ON_EVENT', default: undefined, kind: 'string', help: 'a command run (no shell; {slug}, {event} replaced) for run_ended, gave_up, worker_gone, stopped, followup_started and limited, the event on its stdin' },
  maxActive: { flag: 'max-active', env: 'TASK_MANAGER_MAX_ACTIVE', default: undefined, kind: 'count', help: 'at most this many workers alive at once, orphans included (default: no cap)' },
  maxActivePerHost: { flag: 'max-active-per-host', env: 'TASK_MANAGER_MAX_ACTIVE_PER_HOST', default: undefined, kind: 'count', help: 'at most this many workers alive on this host (several hosts on one store; default: no cap)' },
  maxDispatchesPerCycle: { flag: 'max-dispatches-per-cycle', env: 'TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE', default: 1, kind: 'count', help: 'dispatches per heartbeat cycle' },
  retryCooldown: { flag: 'retry-cooldown', env: 'TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS', default: 300, kind: 'seconds', help: 'wait before a failed task is retried (doubles per consecutive failure)' },
  retryCooldownMax: { flag: 'retry-cooldown-max', env: 'TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_MAX_SECONDS', default: 3600, kind: 'seconds', help: 'upper bound of the growing cooldown' },
  maxAttempts: { flag: 'max-attempts', env: 'TASK_MANAGER_MAX_ATTEMPTS', default: 5, kind: 'count', help: 'consecutive failed runs before a task is gave_up' },
  stallSeconds: { flag: 'stall-seconds', env: 'TASK_MANAGER_STALL_SECONDS', default: 900, kind: 'seconds', help: 'no output for this long: the run is stalled and stopped' },
  maxRunSeconds: { flag: 'max-run-seconds', env: 'TASK_MANAGER_MAX_RUN_SECONDS', default: 7200, kind: 'seconds', help: 'a run longer than this is stopped (stalled, reason timeout)' },
  graceSeconds: { flag: 'grace', env: 'TASK_MANAGER_KILL_GRACE_SECONDS', default: 10, kind: 'seconds', help: 'SIGTERM to SIGKILL grace when stopping a worker' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
