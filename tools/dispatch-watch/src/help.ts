export const HELP = `Usage: dispatch-watch [SLUG...] [--state STATE,...] [--follow | --until-done]
       ... | dispatch-watch - [--follow | --until-done]
       dispatch-watch --log SLUG [--run current|RUN_ID|all] [--tail N]
                      [--follow | --until-done] [--pretty | --json]
       dispatch-watch --history SLUG [--pretty | --json]

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
                      stalled, worker_gone, stopped, limited (default: all)
  --follow            keep watching: a record whenever a dispatch changes (file
                      events), deaths seen within --interval; Ctrl-C ends it (exit 0)
  --changes           with --follow: only what changes from now on, no record for
                      how things stood at the start (| jq 'select(.done)': "tell me
                      when anything stops")
  --until-done        follow the dispatches that match now until each is done (run
                      ended, supervisor gone), then exit 0, or 5 if one did not end ok
  --log SLUG          the task's log. For a person (a terminal, or --pretty) each
                      agent's events as text: its words, one line per tool call
                      (▸ Bash: npm test), errors (✗), the result line (time, turns,
                      cost); other lines (stderr, the run headers) as they are.
                      Piped: {"type":"log","slug","text","rendered","ts"} records
                      (text: the raw line; rendered: null when it shows nothing).
                      With --follow, new output as it comes; with --until-done,
                      until the dispatch is done
  --run WHICH         with --log: current (default: from the header of the status's
                      run), all (the whole log), or a RUN_ID (that run alone; a
                      follow ends when the next run begins)
  --tail N            with --log: only the last N lines (then --follow goes on)
  --history SLUG      the task's history: a table for a person (time, event, run,
                      the prompt's first line, outcome, cost), the history records
                      as they are when piped
  --pretty            text for a person even when piped (--log, --history)
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
  2  usage error, and options that conflict (--history with --log, --tail or
     --run without --log, --pretty with --json, --follow with --until-done)
  4  bad input: a bad slug or record, or a missing or damaged status file (one error
     record each; the other dispatches are still reported); --log: no log, or no
     run RUN_ID in it; --history: no history, or a damaged line
  5  --until-done: a watched dispatch ended failed, interrupted, stalled or worker_gone

Examples:
  dispatch-watch
  dispatch-watch --state running,orphaned --json | jq -r .slug
  dispatch-watch --state running | worker-reap -
  dispatch-watch fix-login --until-done && echo "fix-login finished ok"
  dispatch-watch --follow | jq -c 'select(.dispatch_state != "running")'
  dispatch-watch --log fix-login --follow | jq -r .text
  dispatch-watch --log fix-login --tail 20 --follow --pretty
  dispatch-watch --log fix-login --run all | jq -r 'select(.rendered) | .rendered'
  dispatch-watch --history fix-login
`;
