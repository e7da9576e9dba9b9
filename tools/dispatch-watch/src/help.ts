import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

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
${formatOptions(OPTIONS)}

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
