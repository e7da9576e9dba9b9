import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of dispatch-continue: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--prompt TEXT", flags: [{ name: "prompt" }], help: "the follow-up instruction" },
  { label: "--prompt-file FILE", flags: [{ name: "prompt-file" }], help: "read it from FILE" },
  { label: "--client-key KEY", flags: [{ name: "client-key" }], help: "your name for this follow-up: sending it again with the same KEY\n(a retry after a lost answer) returns the first one, queued once" },
  { label: "--interrupt", flags: [{ name: "interrupt", boolean: true }], help: "stop the current run and run this next (default: queue)" },
  { label: "--grace SECONDS", flags: [{ name: "grace" }], help: "with --interrupt: SIGTERM to SIGKILL grace\n(env TASK_MANAGER_KILL_GRACE_SECONDS; default 10)" },
  { label: "--timeout SECONDS", flags: [{ name: "timeout" }], help: "when it starts a new chain: wait at most this long for the\nworker to start (env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; 45)" },
  { label: "--force", flags: [{ name: "force", boolean: true }], help: "start a new chain even though the worker's account is limited" },
  { label: "--max-cost-usd USD, --max-turns N", flags: [{ name: "max-cost-usd" }, { name: "max-turns" }], help: "as for dispatch (a new chain only)" },
  { label: "--worker NAME, --worker-cmd \"P A...\"", flags: [{ name: "worker" }, { name: "worker-cmd" }], help: "\nthe worker when a new chain starts; by default the agent the\ntask ran last (whose session is resumed). Its command is never\ntaken from the state file: a task that ran the command worker\nneeds --worker-cmd, TASK_MANAGER_WORKER_CMD or its task file" },
  { label: "--allow-task-commands", flags: [{ name: "allow-task-commands", boolean: true }], help: "\nlet a task file's worker_cmd run\n(env TASK_MANAGER_ALLOW_TASK_COMMANDS=1; off by default)" },
  { label: "--repo DIR, --state-dir DIR, --worktrees-dir DIR, --store URL", flags: [{ name: "repo" }, { name: "state-dir" }, { name: "worktrees-dir" }, { name: "store" }], help: "as for dispatch" },
  { label: "--list", flags: [{ name: "list", boolean: true }], help: "the follow-ups queued for SLUG, in order; nothing is sent" },
  { label: "--drop ID", flags: [{ name: "drop" }], help: "remove the queued follow-up ID (one that has not started)" },
  SHARED_OPTIONS.tasksDir,
  { label: "--on-event CMD", flags: [{ name: "on-event" }], help: "as for dispatch (env TASK_MANAGER_ON_EVENT)" },
  ...COMMON_OPTIONS,
];
