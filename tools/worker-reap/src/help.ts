export const HELP = `Usage: worker-reap [SLUG...] [--dry-run] [--kill-orphans] [--grace S]
       dispatch-watch --state running | worker-reap -

Finds dispatches whose workers died and sets them right. Reads the status files in the
state directory (all of them, the SLUGs given, or {"slug": ...} records from stdin with
-) and writes one NDJSON record per change to stdout.

  starting/running, supervisor and worker dead   → worker_gone (history: reaped); the
                                                    retry cooldown starts from here
  supervisor dead, worker alive (orphaned)       → reported; it keeps blocking the
                                                    task. --kill-orphans stops its whole
                                                    process group, checks it is empty,
                                                    then marks it worker_gone
  a lock directory left by a dead holder         → removed

A process counts as alive only if boot id, pid and start time all match what was
recorded: a reused pid or a reboot never passes, and no signal is ever sent to a
process that is not the recorded one (or does not carry the run's token).
Queued follow-ups stay queued; they run with the task's next chain.

Options:
  --dry-run            report what would change; change nothing
  --kill-orphans       stop orphaned workers (polite signal, grace, SIGKILL)
  --grace SECONDS      SIGTERM to SIGKILL grace (env TASK_MANAGER_KILL_GRACE_SECONDS; 10)
  --state-dir DIR      state files (env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)
  --repo DIR           the repository (default: git top level of the cwd)
  --json               NDJSON even on a terminal
  -h, --help           this text
  --version            the version

Exit status:
  0  done (whether or not anything needed reaping)
  1  failure (I/O, a process that survived SIGKILL)
  2  usage error
  4  bad input: a bad slug or record, or a damaged status file (one error record
     each; the others were still reaped)

Examples:
  worker-reap --dry-run
  worker-reap --kill-orphans fix-login
  dispatch-watch --state running,orphaned | worker-reap -
`;
