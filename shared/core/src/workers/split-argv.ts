import { parse } from 'shell-quote';
import { UsageError } from '../errors/errors.js';

/**
 * Splits "PROGRAM ARGS..." into argv the way a shell would quote it, without a shell:
 * no variables are expanded, and operators (`|`, `;`, `>`, globs) are refused rather
 * than silently passed on as words.
 */
export const splitArgv = (text: string, what: string): string[] => {
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
