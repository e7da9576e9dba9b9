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
