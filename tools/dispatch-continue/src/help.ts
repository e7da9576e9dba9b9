import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

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
${formatOptions(OPTIONS)}

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
