export const HELP = `Usage: dispatch-watch [SLUG...] [--state STATE,...] [--follow | --until-done]
       ... | dispatch-watch - [--follow | --until-done]
       dispatch-watch --log SLUG [--follow | --until-done]

The status view. Reads the status files in the state directory (never the logs) for
every dispatch, the SLUGs given, or {"slug": ...} records from stdin with -, and
writes one record per dispatch: NDJSON when piped or with --json, a table on a
terminal. It never changes anything.

Each record's dispatch_state is the status corrected by a liveness check: a run whose
supervisor died is "orphaned" while its worker lives (it still blocks the task) and
"worker_gone" once both are dead (worker-reap then writes that down).

Options:
  --state STATE,...   only dispatches whose written state or dispatch_state is one of
                      starting, running, orphaned, exited, failed, interrupted,
                      stalled, worker_gone (default: all)
  --follow            keep watching: a record whenever a dispatch changes (file
                      events), deaths seen within --interval; Ctrl-C ends it (exit 0)
  --until-done        follow the dispatches that match now until each is done (run
                      ended, supervisor gone), then exit 0, or 5 if one did not end ok
  --log SLUG          the task's log: raw on a terminal, {"type":"log"} records when
                      piped; with --follow, new output as it comes; with --until-done,
                      until the dispatch is done
  --interval SECONDS  liveness re-check while following (default 2)
  --state-dir DIR     state files (env TASK_MANAGER_STATE_DIR;
                      default <repo>/tasks/logs)
  --repo DIR          the repository (default: the git top level of the cwd)
  --json              NDJSON even on a terminal (colour: off when NO_COLOR is set)
  -h, --help          this text
  --version           the version

Exit status:
  0  ok (--until-done: every watched dispatch ended exited)
  1  failure (I/O; --until-done stopped by a signal before the end)
  2  usage error
  4  bad input: a bad slug or record, or a missing or damaged status file (one error
     record each; the other dispatches are still reported)
  5  --until-done: a watched dispatch ended failed, interrupted, stalled or worker_gone

Examples:
  dispatch-watch
  dispatch-watch --state running,orphaned --json | jq -r .slug
  dispatch-watch --state running | worker-reap -
  dispatch-watch fix-login --until-done && echo "fix-login finished ok"
  dispatch-watch --follow | jq -c 'select(.dispatch_state != "running")'
  dispatch-watch --log fix-login --follow | jq -r .text
`;
