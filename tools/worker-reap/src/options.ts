import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of worker-reap: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--dry-run", flags: [{ name: "dry-run", boolean: true }], help: "report what would change; change nothing" },
  { label: "--kill-orphans", flags: [{ name: "kill-orphans", boolean: true }], help: "stop orphaned workers (the agent's polite signal, --grace, SIGKILL)" },
  { label: "--grace SECONDS", flags: [{ name: "grace" }], help: "polite signal to SIGKILL (env TASK_MANAGER_KILL_GRACE_SECONDS; 10)" },
  { label: "--prune", flags: [{ name: "prune", boolean: true }], help: "then remove the worktree and task/<slug> branch of every task that\nis over (done or held) and whose branch is merged into the base;\nnever a live, orphaned, unmerged or dirty one" },
  { label: "--base BRANCH", flags: [{ name: "base" }], help: "with --prune: the branch to be merged into (default: the main\ncheckout's HEAD branch)" },
  { label: "--archive DAYS", flags: [{ name: "archive" }], help: "then move the state files of tasks that ended more than DAYS ago\ninto <state dir>/archive/ (never live ones or ones with follow-ups)" },
  { label: "--on-event CMD", flags: [{ name: "on-event" }], help: "told of each run found worker_gone (env TASK_MANAGER_ON_EVENT)" },
  SHARED_OPTIONS.stateDir,
  SHARED_OPTIONS.store,
  SHARED_OPTIONS.repo,
  ...COMMON_OPTIONS,
];
