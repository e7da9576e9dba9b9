export const HELP = `Usage: dispatch-watch [SLUG...] [--follow] [--until-done] [--state STATE,...]
       dispatch-watch --log SLUG [--follow]
       ... | dispatch-watch -

The status view. Reads the status files in the state directory (every dispatch, the
SLUGs given, or {"slug": ...} records from stdin with -) and writes one record per
dispatch: NDJSON when piped or with --json, a table on a terminal. Reads no logs.

dispatch_state is the status corrected by a liveness check: running whose supervisor
died is "orphaned" (its worker lives and still blocks the task) or "worker_gone".

Options:
  --follow             keep watching: a record (or a refreshed table) whenever a
                       dispatch changes; driven by file-system events, with a slow
                       liveness re-check every --interval seconds
  --until-done         follow until every watched dispatch is done (its last run
                       ended, nothing queued, supervisor gone), then exit
  --state LIST         only dispatches in these states (comma-separated:
                       starting,running,orphaned,exited,failed,interrupted,stalled,worker_gone)
  --log SLUG           print that task's worker output instead ({"type":"log",...}
                       records when piped); with --follow, stream new output
  --interval SECONDS   liveness re-check period when following (default 2)
  --state-dir DIR      state files (env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)
  --repo DIR           the repository (default: git top level of the cwd)
  --json               NDJSON even on a terminal (NO_COLOR turns colour off)
  -h, --help           this text
  --version            the version

Exit status:
  0  ok (with --until-done: every watched dispatch ended ok)
  1  failure (I/O)
  2  usage error
  4  bad input: a bad slug or record, a missing or damaged status file (one error
     record each; the others are still reported)
  5  with --until-done: a watched dispatch ended without success

Examples:
  dispatch-watch
  dispatch-watch --state running,orphaned --json | jq -r .slug
  dispatch-watch fix-login --until-done && echo "fix-login is done"
  dispatch-watch --state running | worker-reap -
  dispatch-watch --log fix-login --follow
`;
