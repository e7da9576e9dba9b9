import fs from 'node:fs';
import { openStateFile } from '../fsx/safe-open.js';

/** The most of one line the supervisor keeps for parsing; the log itself keeps every byte. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** The most one poll reads: a worker that floods its log never holds the event loop. */
const READ_BUDGET_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Reads what a worker appends to its log, from a byte offset on, and hands whole lines
 * to `onLine`. The worker writes to the file directly (not through a pipe to us), so it
 * keeps running — and logging — even if the supervisor dies.
 *
 * Lines are split on bytes (a newline byte never occurs inside a UTF-8 sequence), and a
 * line longer than MAX_LINE_BYTES is cut: its first MAX_LINE_BYTES go to `onLine`, the
 * rest is skipped and counted. So 100 MB without a newline costs a scan, not a string
 * that grows with every read, and the stall and interrupt timers still run in time.
 */
export class LogFollower {
  private offset: number;
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(64 * 1024);
  private parts: Buffer[] = [];
  private partBytes = 0;
  private cutting = false;
  private pumping = false;
  /** Lines longer than MAX_LINE_BYTES, and the bytes skipped from them. */
  readonly cut = { lines: 0, bytes: 0 };

  constructor(
    file: string,
    private readonly onLine: (line: string) => void,
    private readonly onBytes: (count: number) => void,
  ) {
    this.fd = openStateFile(file, 'read');
    this.offset = fs.fstatSync(this.fd).size;
  }

  /** Reads what is new, at most `budget` bytes; returns the number of bytes read. */
  poll(budget = READ_BUDGET_BYTES): number {
    let total = 0;
    while (total < budget) {
      const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      total += n;
      this.take(this.buffer.subarray(0, n));
    }
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

  private take(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.keep(chunk.subarray(start, newline < 0 ? chunk.length : newline));
      if (newline < 0) return;
      this.flushLine();
      start = newline + 1;
    }
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = MAX_LINE_BYTES - this.partBytes;
    if (bytes.length > room) {
      if (!this.cutting) this.cut.lines += 1;
      this.cutting = true;
      this.cut.bytes += bytes.length - room;
      bytes = bytes.subarray(0, room);
    }
    if (bytes.length === 0) return;
    // A copy: the read buffer is reused by the next read.
    this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }

  private flushLine(): void {
    const line = this.parts.length === 1 ? (this.parts[0] as Buffer).toString('utf8') : Buffer.concat(this.parts, this.partBytes).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    this.cutting = false;
    this.onLine(line);
  }

  /** Reads to EOF and flushes a last line without a newline. */
  close(): void {
    while (this.poll() > 0);
    if (this.partBytes > 0 || this.cutting) this.flushLine();
    fs.closeSync(this.fd);
  }
}
