import { commandLimit } from './limit-signal.js';
import { splitArgv } from './split-argv.js';
import type { Observation, StreamParser, WorkerAdapter } from './types.js';

const PROMPT_WORD = '{prompt}';

/**
 * `{prompt}` is replaced wherever it stands, also inside a word (`--task={prompt}`);
 * without one, the prompt is the last argument. Put `--` before it when the program
 * parses options, so a prompt that starts with `-` stays an argument.
 */
export const commandArgv = (workerCmd: string, prompt: string): { file: string; args: string[] } => {
  const [file, ...args] = splitArgv(workerCmd, 'the worker command');
  const placed = args.some((a) => a.includes(PROMPT_WORD));
  return { file: file as string, args: placed ? args.map((a) => a.replaceAll(PROMPT_WORD, prompt)) : [...args, prompt] };
};

/** Any program as the worker: judged by its exit code alone; it has no sessions. */
export const commandAdapter: WorkerAdapter = {
  name: 'command',
  stopSignals: ['SIGTERM'],
  resumable: false,
  invocation: ({ prompt, workerCmd }) => commandArgv(workerCmd ?? '', prompt),
  parser: (): StreamParser => {
    const observed: Observation = { sessionNotFound: false, aborted: false };
    return {
      observed,
      line: (text) => {
        const limit = commandLimit(text);
        if (limit) observed.limit = limit;
      },
    };
  },
};
