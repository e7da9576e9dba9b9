import { COMMON_OPTIONS, SHARED_OPTIONS, type Option } from '@task-manager/core/cli/option-table';

/** Every option of dispatch-watch: what --help shows, what the flag parser declares, what the docs list. */
export const OPTIONS: Option[] = [
  { label: "--state STATE,...", flags: [{ name: "state" }], help: "only dispatches whose written state or dispatch_state is one of\nstarting, running, orphaned, exited, failed, interrupted,\nstalled, worker_gone, stopped, limited (default: all)" },
  { label: "--follow", flags: [{ name: "follow", boolean: true }], help: "keep watching: a record whenever a dispatch changes (file\nevents), deaths seen within --interval; Ctrl-C ends it (exit 0)" },
  { label: "--changes", flags: [{ name: "changes", boolean: true }], help: "with --follow: only what changes from now on, no record for\nhow things stood at the start (| jq 'select(.done)': \"tell me\nwhen anything stops\")" },
  { label: "--until-done", flags: [{ name: "until-done", boolean: true }], help: "follow the dispatches that match now until each is done (run\nended, supervisor gone), then exit 0, or 5 if one did not end ok" },
  { label: "--log SLUG", flags: [{ name: "log" }], help: "the task's log. For a person (a terminal, or --pretty) each\nagent's events as text: its words, one line per tool call\n(▸ Bash: npm test), errors (✗), the result line (time, turns,\ncost); other lines (stderr, the run headers) as they are.\nPiped: {\"type\":\"log\",\"slug\",\"text\",\"rendered\",\"ts\"} records\n(text: the raw line; rendered: null when it shows nothing).\nWith --follow, new output as it comes; with --until-done,\nuntil the dispatch is done" },
  { label: "--run WHICH", flags: [{ name: "run" }], help: "with --log: current (default: from the header of the status's\nrun), all (the whole log), or a RUN_ID (that run alone; a\nfollow ends when the next run begins)" },
  { label: "--tail N", flags: [{ name: "tail" }], help: "with --log: only the last N lines (then --follow goes on)" },
  { label: "--history SLUG", flags: [{ name: "history" }], help: "the task's history: a table for a person (time, event, run,\nthe prompt's first line, outcome, cost), the history records\nas they are when piped" },
  { label: "--pretty", flags: [{ name: "pretty", boolean: true }], help: "text for a person even when piped (--log, --history)" },
  { label: "--interval SECONDS", flags: [{ name: "interval" }], help: "liveness re-check while following (default 2)" },
  SHARED_OPTIONS.stateDir,
  SHARED_OPTIONS.store,
  SHARED_OPTIONS.repo,
  ...COMMON_OPTIONS,
];
