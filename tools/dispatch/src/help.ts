import { formatOptions } from '@task-manager/core/cli/option-table';
import { OPTIONS } from './options.js';

export const HELP = `Usage: dispatch SLUG... [options]
       dispatch - [options] < records.ndjson

Starts each task's worker in its own git worktree (<worktrees dir>/<slug>, branch
task/<slug>) under a detached supervisor, and returns as soon as the worker runs.
Writes one NDJSON record per slug to stdout; messages go to stderr.

With -, reads records {"slug": ..., "prompt"?: ..., "worker"?: ..., "worker_cmd"?: ...}
from stdin, one per line. Without --prompt, a task's prompt comes from tasks/<slug>.md.

Options:
${formatOptions(OPTIONS)}

Exit status:
  0  every worker started (with --wait: every run ended ok)
  1  failure: the worker could not start, git failed, a timeout
  2  usage: a bad flag or value; nothing was started
  3  conflict: a task already has a live (or orphaned) worker; it was left alone
  4  bad input: a bad slug, record, prompt or task file; the good ones were
     still dispatched
  5  with --wait: a run ended without success

Examples:
  dispatch fix-login --prompt "Fix the login redirect; run the tests"
  dispatch fix-login --worker codex
  dispatch demo-task --worker demo --wait
  printf '{"slug":"a","prompt":"x"}\\n{"slug":"b"}\\n' | dispatch - | jq -r .result
  dispatch fix-login --worker-cmd "python3 agent.py --task={prompt}"
  dispatch fix-login --worker-cmd "python3 agent.py --verbose -- {prompt}"
`;
