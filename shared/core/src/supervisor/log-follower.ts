import { LogReader } from '../watch/log-reader.js';

/** The most one poll reads: a worker that floods its log never holds the event loop. */
const READ_BUDGET_BYTES = 4 * 1024 * 1024;

/**
 * Follows what a worker appends to its log from the moment it is made, handing whole
 * lines to `onLine` (through the one LogReader: partial lines held, over-long lines
 * cut, truncation and rotation handled). The worker writes to the file directly (not
 * through a pipe to us), so it keeps running — and logging — even if the supervisor dies.
 */
export class LogFollower {
  private readonly reader: LogReader;
  private pumping = false;

  constructor(
    file: string,
    private readonly onLine: (line: string) => void,
    private readonly onBytes: (count: number) => void,
  ) {
    this.reader = new LogReader(file, { from: 'end' });
  }

  /** Lines longer than the cap, and the bytes skipped from them. */
  get cut(): { lines: number; bytes: number } {
    return this.reader.cut;
  }

  /** Reads what is new, at most about `budget` bytes; returns the number of bytes read. */
  poll(budget = READ_BUDGET_BYTES): number {
    const before = this.reader.bytesRead;
    while (this.reader.bytesRead - before < budget) {
      const lines = this.reader.next();
      if (!lines) break;
      for (const line of lines) this.onLine(line.text);
    }
    const total = this.reader.bytesRead - before;
    if (total > 0) this.onBytes(total);
    return total;
  }

  /** Polls, and while a poll used its whole budget, polls again after the timers had their turn. */
  pump(): void {
    if (this.pumping) return;
    const step = () => {
      if (this.poll() >= READ_BUDGET_BYTES) setImmediate(step);
      else this.pumping = false;
    };
    this.pumping = true;
    step();
  }

  /** Reads to EOF and flushes a last line without a newline. */
  close(): void {
    while (this.poll() > 0);
    const rest = this.reader.rest();
    if (rest) this.onLine(rest.text);
    this.reader.close();
  }
}
