import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

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
${formatOptions(OPTIONS)}

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
