import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

export const HELP = `Usage: worker-reap [SLUG...] [--dry-run] [--kill-orphans] [--grace SECONDS] [--prune] [--archive DAYS]
       dispatch-watch --state running | worker-reap -

Finds dispatches whose workers died and sets them right. Reads the status files in the
state directory (all of them, the SLUGs given, or {"slug": ...} records from stdin
with -), writes the changes to those status files and their history, and prints one
record per change: NDJSON when piped or with --json, a line each on a terminal.

  status starting/running, supervisor and worker dead
      -> worker_gone (failures + 1; history event "reaped"); hb-tick's retry
         cooldown starts from here
  supervisor dead, worker alive ("orphaned")
      -> reported and left alone: it keeps blocking the task. With --kill-orphans:
         its whole process group (and any process carrying its run token) is
         stopped, checked empty, and the run marked worker_gone
  a lock directory left by a dead holder (untouched for 10 s)
      -> removed

A process counts as alive only if its boot id, pid and start time all match what was
recorded: a reused pid or a reboot never passes, and no signal is ever sent to a
process that is not the recorded one or does not carry the run's token. Queued
follow-ups stay queued; they run when the task is next dispatched.

Options:
${formatOptions(OPTIONS)}

Exit status:
  0  ok, whether or not anything needed reaping
  1  failure (I/O, a lock that could not be taken, a process that survived SIGKILL)
  2  usage error
  4  bad input: a bad slug or record, or a missing or damaged status file (one error
     record each; the other dispatches were still reaped)

Examples:
  worker-reap --dry-run
  worker-reap --kill-orphans fix-login
  dispatch-watch --state running | worker-reap -
  worker-reap --json | jq -r 'select(.action == "marked_worker_gone") | .slug'
`;
