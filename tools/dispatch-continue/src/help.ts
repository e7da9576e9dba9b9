export const HELP = `Usage: dispatch-continue SLUG (--prompt TEXT | --prompt-file FILE) [--interrupt] [--grace S]
       dispatch-continue - [options] < followups.ndjson

Sends a follow-up instruction to a task's worker, resuming the agent's own session in
the same worktree — never starting a second worker. Writes one NDJSON record per
follow-up to stdout; messages go to stderr.

  queued       a run is in progress: the follow-up runs right after it (position 1 = next)
  interrupted  the current run is being stopped (its whole process group: polite
               signal, grace, SIGKILL) and the follow-up runs next
  started      nothing was running: the follow-up started now, as a new chain

With -, reads records {"slug": ..., "prompt": ..., "mode"?: "queue" | "interrupt"}.

Options:
  --prompt TEXT        the follow-up instruction
  --prompt-file FILE   read it from FILE
  --interrupt          stop the current run and run this next (default: queue)
  --grace SECONDS      with --interrupt: SIGTERM to SIGKILL grace
                       (env TASK_MANAGER_KILL_GRACE_SECONDS; default 10)
  --timeout SECONDS    when it starts a new chain: wait at most this long for the
                       worker to start (env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; 45)
  --force              start a new chain even though the worker's account is limited
  --max-cost-usd USD, --max-turns N   as for dispatch (a new chain only)
  --worker NAME, --worker-cmd "P A..."
                       the worker when a new chain starts; by default the agent the
                       task ran last (whose session is resumed). Its command is never
                       taken from the state file: a task that ran the command worker
                       needs --worker-cmd, TASK_MANAGER_WORKER_CMD or its task file
  --allow-task-commands
                       let a task file's worker_cmd run
                       (env TASK_MANAGER_ALLOW_TASK_COMMANDS=1; off by default)
  --repo DIR, --state-dir DIR, --worktrees-dir DIR   as for dispatch
  --json               NDJSON even on a terminal
  -h, --help           this text
  --version            the version

Exit status:
  0  every follow-up was queued, delivered or started
  1  failure (the worker could not start, a timeout, I/O)
  2  usage: a bad flag or value; nothing was sent
  3  conflict: the task has an orphaned worker (stop it with worker-reap --kill-orphans)
  4  bad input: a bad slug or record; the good ones still went through

Examples:
  dispatch-continue fix-login --prompt "Also cover the logout path"
  dispatch-continue fix-login --interrupt --prompt "Stop: use the v2 API instead"
  echo '{"slug":"fix-login","prompt":"rebase on main","mode":"queue"}' | dispatch-continue -
`;
