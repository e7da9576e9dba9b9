import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors/errors.js';

/** `--prompt TEXT` or `--prompt-file FILE` (`-` is not allowed: stdin carries records). */
export const promptFromFlags = (flags: Record<string, unknown>, cwd: string): string | undefined => {
  const text = flags.prompt;
  const file = flags['prompt-file'];
  if (text !== undefined && file !== undefined) throw new UsageError('give --prompt or --prompt-file, not both');
  if (typeof text === 'string') {
    if (text === '') throw new UsageError('--prompt is empty');
    return text;
  }
  if (typeof file === 'string') {
    try {
      return fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --prompt-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return undefined;
};
