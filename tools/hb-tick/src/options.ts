import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of hb-tick: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--max-dispatches-per-cycle N", flags: [{ name: "max-dispatches-per-cycle" }], help: "(env TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE; default 1)" },
  { label: "--max-active N", flags: [{ name: "max-active" }], help: "never more than N workers alive at once, orphans\nincluded (env TASK_MANAGER_MAX_ACTIVE; default no cap)" },
  { label: "--max-active-per-host N", flags: [{ name: "max-active-per-host" }], help: "never more than N alive on this host (several hosts on one\nstore: --max-active counts the fleet; env\nTASK_MANAGER_MAX_ACTIVE_PER_HOST; default no cap)" },
  { label: "--timeout SECONDS", flags: [{ name: "timeout" }], help: "per dispatch (env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; 45)" },
  { label: "--retry-cooldown SECONDS", flags: [{ name: "retry-cooldown" }], help: "first retry wait (env TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS; 300)" },
  { label: "--retry-cooldown-max SECONDS", flags: [{ name: "retry-cooldown-max" }], help: "cap (env TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_MAX_SECONDS; 3600)" },
  { label: "--max-attempts N", flags: [{ name: "max-attempts" }], help: "failed runs in a row before gave_up (env TASK_MANAGER_MAX_ATTEMPTS; 5)" },
  { label: "--limit-backoff SECONDS", flags: [{ name: "limit-backoff" }], help: "wait after a rate or usage limit that gave no reset\ntime; doubles while limits repeat, capped at 6 h\n(env TASK_MANAGER_LIMIT_BACKOFF_SECONDS; 900)" },
  { label: "--max-cost-usd USD, --max-turns N", flags: [{ name: "max-cost-usd" }, { name: "max-turns" }], help: "budgets for tasks that set none (as for dispatch)" },
  { label: "--dry-run", flags: [{ name: "dry-run", boolean: true }], help: "print the plan; change nothing (no reaping, no dispatch,\nno heartbeat.json)" },
  { label: "--every SECONDS", flags: [{ name: "every" }], help: "loop: one tick per interval until SIGTERM or SIGINT\n(the current tick finishes first)" },
  { label: "--clear SLUG", flags: [{ name: "clear" }], help: "reset a gave_up task's failure count" },
  { label: "--worker NAME, --worker-cmd \"P A...\"", flags: [{ name: "worker" }, { name: "worker-cmd" }], help: "the worker for tasks that do not name one\n(env TASK_MANAGER_WORKER, TASK_MANAGER_WORKER_CMD)" },
  { label: "--allow-task-commands", flags: [{ name: "allow-task-commands", boolean: true }], help: "let a task file's worker_cmd run; off: such a task is\ninvalid (env TASK_MANAGER_ALLOW_TASK_COMMANDS=1)" },
  SHARED_OPTIONS.tasksDir,
  SHARED_OPTIONS.stateDir,
  SHARED_OPTIONS.store,
  SHARED_OPTIONS.worktreesDir,
  SHARED_OPTIONS.repo,
  { label: "--stall-seconds S", flags: [{ name: "stall-seconds" }], help: "for the runs it starts: no output this long stops the run\n(env TASK_MANAGER_STALL_SECONDS; default 900)" },
  { label: "--max-run-seconds S", flags: [{ name: "max-run-seconds" }], help: "for the runs it starts: a run longer than this is stopped\n(env TASK_MANAGER_MAX_RUN_SECONDS; default 7200)" },
  { label: "--grace S", flags: [{ name: "grace" }], help: "SIGTERM to SIGKILL grace when a run is stopped\n(env TASK_MANAGER_KILL_GRACE_SECONDS; default 10)" },
  { label: "--on-event CMD", flags: [{ name: "on-event" }], help: "told of worker_gone and gave_up here, and of the runs it starts\n(env TASK_MANAGER_ON_EVENT)" },
  ...COMMON_OPTIONS,
];
