import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Reads what a worker appends to its log, from a byte offset on, and hands whole lines
 * to `onLine`. The worker writes to the file directly (not through a pipe to us), so it
 * keeps running — and logging — even if the supervisor dies.
 */
export class LogFollower {
  private offset: number;
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private fd: number;

  constructor(
    file: string,
    private readonly onLine: (line: string) => void,
    private readonly onBytes: (count: number) => void,
  ) {
    this.fd = fs.openSync(file, 'r');
    this.offset = fs.fstatSync(this.fd).size;
  }

  /** Reads everything new; returns the number of bytes read. */
  poll(): number {
    const buffer = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = fs.readSync(this.fd, buffer, 0, buffer.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      total += n;
      this.push(this.decoder.write(buffer.subarray(0, n)));
    }
    if (total > 0) this.onBytes(total);
    return total;
  }

  private push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  /** Reads to EOF and flushes a last line without a newline. */
  close(): void {
    this.poll();
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.onLine(rest);
    fs.closeSync(this.fd);
  }
}
