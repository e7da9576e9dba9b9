export const HELP = `Usage: dispatch SLUG... [options]
       dispatch - [options] < records.ndjson

Starts each task's worker in its own git worktree (<worktrees dir>/<slug>, branch
task/<slug>) under a detached supervisor, and returns as soon as the worker runs.
Writes one NDJSON record per slug to stdout; messages go to stderr.

With -, reads records {"slug": ..., "prompt"?: ..., "worker"?: ..., "worker_cmd"?: ...}
from stdin, one per line. Without --prompt, a task's prompt comes from tasks/<slug>.md.

Options:
  --prompt TEXT          the prompt for every slug given
  --prompt-file FILE     read the prompt from FILE
  --worker NAME          claude, codex, gemini, demo or command. Order: a record's
                         own worker > this flag > the task file's worker >
                         env TASK_MANAGER_WORKER > claude (command when only a
                         worker command is set)
  --worker-cmd "P A..."  run any program as the worker: split into argv without a
                         shell; {prompt} is replaced by the prompt wherever it
                         stands, else the prompt is the last argument
                         (env TASK_MANAGER_WORKER_CMD). Put {prompt} after -- (if
                         the program takes --): a prompt such as --output=FILE is
                         then an operand, not an option. The prompt is on this
                         command line (ps shows it); the claude, codex, gemini and
                         demo workers read it on stdin
  --allow-task-commands  let a task file's worker_cmd run (off: refused, exit 4)
                         (env TASK_MANAGER_ALLOW_TASK_COMMANDS=1)
  --timeout SECONDS      wait at most this long for the worker to start
                         (env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; default 45)
  --wait                 follow the run(s) to the end and exit with the outcome
  --force                start even though the worker's account is limited
  --max-cost-usd USD     the task's budget, all runs together; reaching it holds
                         the task (task file max_cost_usd; env TASK_MANAGER_MAX_COST_USD)
  --max-turns N          turns per run, for claude (task file max_turns;
                         env TASK_MANAGER_MAX_TURNS)
  --base REF             start a new task branch from REF (resolved in the main
                         checkout; default: the main checkout's HEAD). An existing
                         task/<slug> branch is continued as it is
  --repo DIR             the repository: its main checkout, also when DIR (or the
                         cwd, by default) is inside one of its worktrees
  --state-dir DIR        state files (env TASK_MANAGER_STATE_DIR; default tasks/logs;
                         relative paths here and below: to the main checkout)
  --worktrees-dir DIR    worktrees (env TASK_MANAGER_WORKTREES_DIR; default .worktrees)
  --tasks-dir DIR        task files (env TASK_MANAGER_TASKS_DIR; default tasks)
  --stall-seconds S      no output this long stops the run as stalled (default 900)
  --max-run-seconds S    a run longer than this is stopped (default 7200)
  --grace S              SIGTERM to SIGKILL grace when stopping (default 10)
  --json                 NDJSON even on a terminal
  -h, --help             this text
  --version              the version

Exit status:
  0  every worker started (with --wait: every run ended ok)
  1  failure: the worker could not start, git failed, a timeout
  2  usage: a bad flag or value; nothing was started
  3  conflict: a task already has a live (or orphaned) worker; it was left alone
  4  bad input: a bad slug, record, prompt or task file; the good ones were
     still dispatched
  5  with --wait: a run ended without success

Examples:
  dispatch fix-login --prompt "Fix the login redirect; run the tests"
  dispatch fix-login --worker codex
  dispatch demo-task --worker demo --wait
  printf '{"slug":"a","prompt":"x"}\\n{"slug":"b"}\\n' | dispatch - | jq -r .result
  dispatch fix-login --worker-cmd "python3 agent.py --task={prompt}"
  dispatch fix-login --worker-cmd "python3 agent.py --verbose -- {prompt}"
`;
