import { splitArgv } from './split-argv.js';
import type { Observation, StreamParser, WorkerAdapter } from './types.js';

const PROMPT_WORD = '{prompt}';

/** Any program as the worker: judged by its exit code alone; it has no sessions. */
export const commandAdapter: WorkerAdapter = {
  name: 'command',
  stopSignals: ['SIGTERM'],
  resumable: false,
  invocation: ({ prompt, workerCmd }) => {
    const [file, ...args] = splitArgv(workerCmd ?? '', 'the worker command');
    const replaced = args.map((a) => (a === PROMPT_WORD ? prompt : a));
    return { file: file as string, args: args.includes(PROMPT_WORD) ? replaced : [...args, prompt] };
  },
  parser: (): StreamParser => {
    const observed: Observation = { sessionNotFound: false, aborted: false };
    return { observed, line: () => undefined };
  },
};
