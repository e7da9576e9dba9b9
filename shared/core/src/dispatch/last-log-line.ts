import { readTailLines } from '../fsx/read-tail-lines.js';

/** The last non-empty line of a log, read from its tail only. */
export const lastLogLine = (file: string): string | undefined =>
  readTailLines(file)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
