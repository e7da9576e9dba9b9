export const HELP = `Usage: hb-tick [options]              one heartbeat cycle
       hb-tick --every SECONDS [options]  the heartbeat loop
       hb-tick - [options] < tasks.ndjson tasks as records instead of tasks/*.md
       hb-tick --clear SLUG               clear a task that gave up

One cycle: reap dead workers, read the tasks (tasks/*.md with YAML front matter),
classify each one, dispatch at most --max-dispatches-per-cycle of the dispatchable
ones (p0 first, then oldest; each bounded by the dispatch timeout, so a start that hangs
never wedges the tick), write <state dir>/heartbeat.json, and print one record per
reap change, per task, per action, and a final snapshot. Only one tick runs at a time:
an overlapping tick reports "skipped" and dispatches nothing.

Classes: dispatchable, active (a worker runs or is orphaned), cooldown (until when),
done (last run ended ok: not dispatched again automatically), gave_up (too many failed
runs in a row: only --clear brings it back), not_ready (task status is not "ready"),
waiting (a depends_on task is not done), invalid (bad task file or damaged status),
held (dispatch-stop, or its cost budget is spent), limited (its account hit a rate or
usage limit: resumed after the reset; other tasks of that account wait too).

Failed, interrupted, stalled and worker_gone runs are retried after a cooldown that
doubles with each consecutive failure (with a little jitter), up to a cap.

Options:
  --max-dispatches-per-cycle N   (env TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE; default 1)
  --max-active N                 never more than N workers alive at once, orphans
                                 included (env TASK_MANAGER_MAX_ACTIVE; default no cap)
  --timeout SECONDS              per dispatch (env TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS; 45)
  --retry-cooldown SECONDS       first retry wait (env TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS; 300)
  --retry-cooldown-max SECONDS   cap (env TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_MAX_SECONDS; 3600)
  --max-attempts N               failed runs in a row before gave_up (env TASK_MANAGER_MAX_ATTEMPTS; 5)
  --limit-backoff SECONDS        wait after a rate or usage limit that gave no reset
                                 time; doubles while limits repeat, capped at 6 h
                                 (env TASK_MANAGER_LIMIT_BACKOFF_SECONDS; 900)
  --max-cost-usd USD, --max-turns N   budgets for tasks that set none (as for dispatch)
  --dry-run                      print the plan; change nothing (no reaping, no dispatch,
                                 no heartbeat.json)
  --every SECONDS                loop: one tick per interval until SIGTERM or SIGINT
                                 (the current tick finishes first)
  --clear SLUG                   reset a gave_up task's failure count
  --worker NAME, --worker-cmd "P A..."   the worker for tasks that do not name one
                                 (env TASK_MANAGER_WORKER, TASK_MANAGER_WORKER_CMD)
  --allow-task-commands          let a task file's worker_cmd run; off: such a task is
                                 invalid (env TASK_MANAGER_ALLOW_TASK_COMMANDS=1)
  --tasks-dir DIR                (env TASK_MANAGER_TASKS_DIR; default <repo>/tasks)
  --state-dir DIR                (env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)
  --worktrees-dir DIR            (env TASK_MANAGER_WORKTREES_DIR; default <repo>/.worktrees)
  --repo DIR                     the repository (default: git top level of the cwd)
  --json                         NDJSON even on a terminal
  -h, --help                     this text
  --version                      the version

Exit status:
  0  the tick ran (whatever it found)
  1  failure (the tasks directory is unreadable, I/O)
  2  usage error
  4  bad input: an invalid task file or record, or a damaged status (the other tasks
     were still classified and dispatched)

Examples:
  hb-tick --dry-run
  hb-tick --max-dispatches-per-cycle 3 --json | jq -c 'select(.type=="action")'
  hb-tick --every 60
  hb-tick --json | jq -r 'select(.type=="task" and .class=="cooldown") | "\\(.slug) \\(.until)"'
  hb-tick --clear fix-login
`;
