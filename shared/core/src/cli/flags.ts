import mri from 'mri';
import { UsageError } from '../errors/errors.js';

export interface FlagSpec {
  /** Flags that take a value. Declared as strings: mri would turn `007` into 7. */
  string?: string[];
  boolean?: string[];
}

export interface ParsedArgs {
  flags: Record<string, unknown>;
  positionals: string[];
}

const COMMON_BOOLEAN = ['help', 'version', 'json'];
const STDIN_PLACEHOLDER = '\u0000stdin';

/**
 * Parses argv with mri, every flag declared. mri returns nothing at all when given an
 * `unknown` callback, so unknown flags are found afterwards and named in the error.
 */
export const parseFlags = (argv: string[], spec: FlagSpec): ParsedArgs => {
  const strings = spec.string ?? [];
  const booleans = [...COMMON_BOOLEAN, ...(spec.boolean ?? [])];
  const alias = { h: 'help' };
  // mri drops a lone `-` (and the word after it); `-` means "read stdin", so it is
  // swapped for a placeholder before parsing and restored after.
  const dashAt = argv.indexOf('--');
  // A value flag takes the next word whatever it looks like (getopt's rule), so
  // `--prompt "-rf ..."` is a prompt, not the flags -r and -f.
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    const isValueFlag = word.startsWith('--') && !word.includes('=') && strings.includes(word.slice(2));
    if (isValueFlag && i + 1 < argv.length && (dashAt < 0 || i < dashAt)) {
      joined.push(`${word}=${argv[i + 1]}`);
      i += 1;
    } else joined.push(word);
  }
  const end = joined.indexOf('--');
  const guarded = joined.map((a, i) => (a === '-' && (end < 0 || i < end) ? STDIN_PLACEHOLDER : a));
  const parsed = mri(guarded, { string: strings, boolean: booleans, alias });
  const known = new Set([...strings, ...booleans, ...Object.keys(alias), ...Object.values(alias), '_']);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      const shown = key.length === 1 ? `-${key}` : `--${key}`;
      throw new UsageError(`unknown option ${shown}`, { option: shown });
    }
  }
  for (const name of strings) {
    const value = parsed[name];
    if (Array.isArray(value)) throw new UsageError(`--${name} was given more than once`, { option: `--${name}` });
    // A value flag at the end of argv, or followed by another flag, arrives as ''.
    if (value === '' && argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))) {
      const explicitEmpty = argv.includes(`--${name}=`);
      if (!explicitEmpty) throw new UsageError(`--${name} needs a value`, { option: `--${name}` });
    }
  }
  // mri turns `--wait=yes` into wait: true plus a positional "yes"; refuse it instead.
  for (const name of booleans) {
    if (typeof parsed[name] === 'string' || argv.some((a, i) => a.startsWith(`--${name}=`) && (dashAt < 0 || i < dashAt))) {
      throw new UsageError(`--${name} takes no value`, { option: `--${name}` });
    }
  }
  const positionals = (parsed._ as unknown[]).map((a) => (a === STDIN_PLACEHOLDER ? '-' : String(a)));
  return { flags: parsed, positionals };
};
