import type { Option } from '@task-manager/core/cli/option-table';

/** Every option of dispatch-stop: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--release", flags: [{ name: "release", boolean: true }], help: "lift the hold instead (nothing is started)" },
  { label: "--reason TEXT", flags: [{ name: "reason" }], help: "why, kept in the status and history (default \"operator\")" },
  { label: "--grace SECONDS", flags: [{ name: "grace" }], help: "SIGTERM to SIGKILL grace for a running task\n(env TASK_MANAGER_KILL_GRACE_SECONDS; default 10)" },
  { label: "--timeout SECONDS", flags: [{ name: "timeout" }], help: "wait at most this long for the run to be over\n(default: the grace plus 30 s)" },
  { label: "--state-dir DIR", flags: [{ name: "state-dir" }], help: "(env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)" },
  { label: "--repo DIR", flags: [{ name: "repo" }], help: "the repository (default: the main checkout of the one the cwd is in)" },
  { label: "--json", flags: [], help: "NDJSON even on a terminal" },
  { label: "-h, --help", flags: [], help: "this text" },
  { label: "--version", flags: [], help: "the version" },
];
