import type { FlagSpec } from './flags.js';

/**
 * One option of a bin, the one place it is described: the flag parser's declaration,
 * the --help line and the options block of the docs are all made from it (the way
 * tapjs does), so they cannot disagree.
 */
export interface Option {
  /** What --help shows on the left: `--state-dir DIR`, `--worker NAME, --worker-cmd "P A..."`. */
  label: string;
  /** The flags it declares; boolean ones take no value. */
  flags: { name: string; boolean?: boolean }[];
  /** The right-hand text; its own line breaks are kept. */
  help: string;
}

/** The flag parser's declaration of a table (mri needs every flag declared). */
export const flagSpecOf = (options: Option[]): FlagSpec => ({
  string: options.flatMap((o) => o.flags.filter((f) => !f.boolean).map((f) => f.name)),
  boolean: options.flatMap((o) => o.flags.filter((f) => f.boolean).map((f) => f.name)),
});

/** The "Options:" lines of --help (and of the docs): label, then the help, aligned. */
export const formatOptions = (options: Option[]): string => {
  const width = Math.min(26, Math.max(...options.map((o) => o.label.length)) + 2);
  return options
    .map((o) => {
      const [first = '', ...rest] = o.help.split('\n');
      const head = o.label.length + 2 > width ? `  ${o.label}\n${' '.repeat(width + 2)}${first}` : `  ${o.label.padEnd(width)}${first}`;
      return [head, ...rest.map((line) => `${' '.repeat(width + 2)}${line}`)].join('\n');
    })
    .join('\n');
};

/** The options every bin shares, described once. */
export const SHARED_OPTIONS = {
  stateDir: { label: '--state-dir DIR', flags: [{ name: 'state-dir' }], help: 'state files (env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)' },
  store: { label: '--store URL', flags: [{ name: 'store' }], help: 'file (default: the state directory) or postgres://USER@HOST:PORT/DB\n(env TASK_MANAGER_STORE; see docs/store.md)' },
  tasksDir: { label: '--tasks-dir DIR', flags: [{ name: 'tasks-dir' }], help: 'task files (env TASK_MANAGER_TASKS_DIR; default <repo>/tasks)' },
  worktreesDir: { label: '--worktrees-dir DIR', flags: [{ name: 'worktrees-dir' }], help: 'worktrees (env TASK_MANAGER_WORKTREES_DIR; default <repo>/.worktrees)' },
  repo: { label: '--repo DIR', flags: [{ name: 'repo' }], help: 'the repository: its main checkout, also when DIR (or the cwd,\nby default) is inside one of its worktrees' },
} satisfies Record<string, Option>;

/** --json, --help and --version: every bin takes them (the flag parser declares them itself). */
export const COMMON_OPTIONS: Option[] = [
  { label: '--json', flags: [], help: 'NDJSON even on a terminal' },
  { label: '-h, --help', flags: [], help: 'this text' },
  { label: '--version', flags: [], help: 'the version' },
];
