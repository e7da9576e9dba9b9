import { readTailLines } from '../fsx/read-tail-lines.js';
import { LogRender } from './log-render.js';

/**
 * What a live worker last said, as a person would read it: the tail of its log through
 * the worker's renderer, the last line that shows something. Raw stream-json is no use
 * in a table cell.
 */
export const lastSaid = (log: string, worker: string | undefined): string | null => {
  const render = new LogRender(worker);
  let last: string | null = null;
  for (const raw of readTailLines(log)) {
    const shown = render.line(raw);
    for (const line of (shown ?? '').split('\n')) if (line.trim() !== '') last = line.trim();
  }
  return last;
};
