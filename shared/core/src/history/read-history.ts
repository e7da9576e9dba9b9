import { readStateFile } from '../fsx/safe-open.js';

export interface HistoryRecord {
  type: 'history';
  ts: string;
  event: string;
  slug: string;
  [field: string]: unknown;
}

export interface DamagedLine {
  line: number;
  reason: string;
}

export interface HistoryRead {
  records: HistoryRecord[];
  /** Lines that are not whole records, other than a torn final line. */
  damaged: DamagedLine[];
  /** The file ended in a partial record (a writer died mid-write); it was skipped. */
  tornTail: boolean;
  /** There is a history at all (false: the task was never dispatched). */
  exists: boolean;
}

/**
 * Reads every whole record. A final line without its newline is a torn write and is
 * skipped quietly; any other bad line (an earlier torn tail that a later append moved
 * off the end) is reported in `damaged` and the rest is still read.
 */
export const readHistory = (file: string): HistoryRead => {
  // What a history says becomes part of a recap prompt: only ever our own file.
  const text = readStateFile(file);
  if (text === undefined) return { records: [], damaged: [], tornTail: false, exists: false };
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const result: HistoryRead = { records: [], damaged: [], tornTail: last.length > 0, exists: true };
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line);
      if (typeof value === 'object' && value !== null && typeof value.event === 'string') {
        result.records.push(value as HistoryRecord);
      } else {
        result.damaged.push({ line: index + 1, reason: 'not a history record' });
      }
    } catch {
      result.damaged.push({ line: index + 1, reason: 'not valid JSON' });
    }
  });
  return result;
};
