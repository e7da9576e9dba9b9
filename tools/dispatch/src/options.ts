import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of dispatch: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--prompt TEXT", flags: [{ name: "prompt" }], help: "the prompt for every slug given" },
  { label: "--prompt-file FILE", flags: [{ name: "prompt-file" }], help: "read the prompt from FILE" },
  { label: "--worker NAME", flags: [{ name: "worker" }], help: "claude, codex, gemini, demo or command. Order: a record's\nown worker > this flag > the task file's worker >\nenv TASK_MANAGER_WORKER > claude (command when only a\nworker command is set)" },
  { label: "--worker-cmd \"P A...\"", flags: [{ name: "worker-cmd" }], help: "run any program as the worker: split into argv without a\nshell; {prompt} is replaced by the prompt wherever it\nstands, else the prompt is the last argument\n(env TASK_MANAGER_WORKER_CMD). Put {prompt} after -- (if\nthe program takes --): a prompt such as --output=FILE is\nthen an operand, not an option. The prompt is on this\ncommand line (ps shows it); the claude, codex, gemini and\ndemo workers read it on stdin" },
  { label: "--allow-task-commands", flags: [{ name: "allow-task-commands", boolean: true }], help: "let a task file's worker_cmd run (off: refused, exit 4)\n(env TASK_MANAGER_ALLOW_TASK_COMMANDS=1)" },
  { label: "--timeout SECONDS", flags: [{ name: "timeout" }], help: "wait at most this long for the worker to start\n(env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; default 45)" },
  { label: "--wait", flags: [{ name: "wait", boolean: true }], help: "follow the run(s) to the end and exit with the outcome" },
  { label: "--force", flags: [{ name: "force", boolean: true }], help: "start even though the worker's account is limited" },
  { label: "--max-cost-usd USD", flags: [{ name: "max-cost-usd" }], help: "the task's budget, all runs together; reaching it holds\nthe task (task file max_cost_usd; env TASK_MANAGER_MAX_COST_USD)" },
  { label: "--max-turns N", flags: [{ name: "max-turns" }], help: "turns per run, for claude (task file max_turns;\nenv TASK_MANAGER_MAX_TURNS)" },
  { label: "--base REF", flags: [{ name: "base" }], help: "start a new task branch from REF (resolved in the main\ncheckout; default: the main checkout's HEAD). An existing\ntask/<slug> branch is continued as it is" },
  SHARED_OPTIONS.repo,
  SHARED_OPTIONS.stateDir,
  SHARED_OPTIONS.store,
  SHARED_OPTIONS.worktreesDir,
  SHARED_OPTIONS.tasksDir,
  { label: "--stall-seconds S", flags: [{ name: "stall-seconds" }], help: "no output this long stops the run as stalled (default 900)" },
  { label: "--max-run-seconds S", flags: [{ name: "max-run-seconds" }], help: "a run longer than this is stopped (default 7200)" },
  { label: "--grace S", flags: [{ name: "grace" }], help: "SIGTERM to SIGKILL grace when stopping (default 10)" },
  { label: "--on-event CMD", flags: [{ name: "on-event" }], help: "a command told of each run_ended, followup_started, stopped and\nlimited (no shell; {slug}, {event} replaced; the event record on\nits stdin) (env TASK_MANAGER_ON_EVENT)" },
  ...COMMON_OPTIONS,
];
