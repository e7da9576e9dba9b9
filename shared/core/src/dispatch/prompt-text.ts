import { BadInputError, UsageError } from '../errors/errors.js';

/**
 * The largest prompt we accept. Linux refuses a single argument over 128 KiB (E2BIG,
 * MAX_ARG_STRLEN) and the command worker passes the prompt as one; a prompt this long
 * is a file's worth: point the agent at the file instead.
 */
export const MAX_PROMPT_BYTES = 100 * 1024;

/**
 * A prompt an agent can act on, or a clear error naming where it came from: never
 * blank (an agent started with nothing to do), never over MAX_PROMPT_BYTES. `kind`
 * says whether it came from the command line (usage, exit 2) or from input (exit 4).
 */
export const checkPrompt = (text: string, from: string, kind: 'flag' | 'input'): string => {
  const problem =
    text.trim() === ''
      ? `${from} is blank: give the agent something to do`
      : Buffer.byteLength(text) > MAX_PROMPT_BYTES
        ? `${from} is ${Buffer.byteLength(text)} bytes, over the ${MAX_PROMPT_BYTES}-byte limit: put the text in a file in the repository and ask the agent to read it`
        : undefined;
  if (!problem) return text;
  if (kind === 'flag') throw new UsageError(problem);
  throw new BadInputError(problem, 'invalid_prompt', { field: 'prompt' });
};
