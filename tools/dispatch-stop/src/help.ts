import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

export const HELP = `Usage: dispatch-stop SLUG... [options]
       dispatch-stop - [options] < records.ndjson
       dispatch-stop --release SLUG...

Stops a task and holds it. A running task's run is stopped the way an interrupt stops
it (its process group and every process with its run token: the agent's polite
signal, --grace, SIGKILL, checked empty), and nothing more starts: queued follow-ups
stay queued. The task is then held: its state is "stopped" (not a failure), hb-tick
never picks it up (class "held"), and dispatch-watch shows it as held. A task that is
not running (or never ran) is held before the heartbeat takes it.

A hold lasts until dispatch-stop --release SLUG, or an explicit dispatch SLUG or
dispatch-continue SLUG (their record then says hold_released). Writes one
{"type":"stop"} record per task; history records who stopped it and when.

Options:
${formatOptions(OPTIONS)}

Records: {"type":"stop","slug":...,"result":...,"run_id":...,"state":...,"by":...}
  result: stopped (a live run was stopped), held (nothing ran), already_held,
  released, not_held (--release on a task that was not held), timeout (the run was
  still stopping when --timeout passed; it stays held).

Exit status:
  0  every task is stopped and held (or released)
  1  failure: a run that would not stop, a timeout, I/O
  2  usage: a bad flag; nothing was done
  4  bad input: a bad slug or record; the good ones were still handled

Examples:
  dispatch-stop fix-login
  dispatch-watch --state running --json | jq -c 'select(.cost_usd > 5)' | dispatch-stop -
  dispatch-stop --release fix-login && hb-tick
`;
