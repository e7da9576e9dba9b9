import fs from 'node:fs';
import path from 'node:path';
import { checkPrompt } from '../dispatch/prompt-text.js';
import { UsageError } from '../errors/errors.js';

/** `--prompt TEXT` or `--prompt-file FILE` (`-` is not allowed: stdin carries records). */
export const promptFromFlags = (flags: Record<string, unknown>, cwd: string): string | undefined => {
  const text = flags.prompt;
  const file = flags['prompt-file'];
  if (text !== undefined && file !== undefined) throw new UsageError('give --prompt or --prompt-file, not both');
  if (typeof text === 'string') return checkPrompt(text, '--prompt', 'flag');
  if (typeof file === 'string') {
    let content: string;
    try {
      content = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --prompt-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return checkPrompt(content, `--prompt-file ${file}`, 'flag');
  }
  return undefined;
};
