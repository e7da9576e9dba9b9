import { parse } from 'shell-quote';
import { UsageError } from '../errors/errors.js';

/** The quote left open at the end of `text` (a shell would wait for more input), if any. */
const openQuote = (text: string): string | undefined => {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      i += 1; // escapes the next character, in double quotes too
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    }
  }
  return quote;
};

/**
 * Splits "PROGRAM ARGS..." into argv the way a shell would quote it, without a shell:
 * no variables are expanded, and operators (`|`, `;`, `>`, globs) and unbalanced quotes
 * are refused rather than silently passed on as words (shell-quote accepts both).
 */
export const splitArgv = (text: string, what: string): string[] => {
  const quote = openQuote(text);
  if (quote) throw new UsageError(`${what} ${JSON.stringify(text)} has an unbalanced ${quote}; close it, or escape it with a backslash`);
  const words = parse(text, (name) => `$${name}`);
  const argv: string[] = [];
  for (const word of words) {
    if (typeof word !== 'string') {
      const op = 'op' in word ? word.op : 'comment' in word ? '#' : String(word);
      throw new UsageError(`${what} ${JSON.stringify(text)} uses the shell operator ${JSON.stringify(op)}; it runs without a shell, so give a program and its arguments (wrap shell code in sh -c '...')`);
    }
    argv.push(word);
  }
  if (argv.length === 0) throw new UsageError(`${what} is empty`);
  return argv;
};
