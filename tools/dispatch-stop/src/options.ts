import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of dispatch-stop: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--release", flags: [{ name: "release", boolean: true }], help: "lift the hold instead (nothing is started)" },
  { label: "--reason TEXT", flags: [{ name: "reason" }], help: "why, kept in the status and history (default \"operator\")" },
  { label: "--grace SECONDS", flags: [{ name: "grace" }], help: "SIGTERM to SIGKILL grace for a running task\n(env TASK_MANAGER_KILL_GRACE_SECONDS; default 10)" },
  { label: "--timeout SECONDS", flags: [{ name: "timeout" }], help: "wait at most this long for the run to be over\n(default: the grace plus 30 s)" },
  SHARED_OPTIONS.stateDir,
  SHARED_OPTIONS.store,
  SHARED_OPTIONS.repo,
  ...COMMON_OPTIONS,
];
