import type { Writable } from 'node:stream';

/**
 * Writes one JSON object per line. When the reader goes away (EPIPE: `| head -1`),
 * `closed` turns true and further writes are dropped, so the tool can stop quietly.
 */
export class RecordOutput {
  closed = false;
  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw error;
    });
  }

  /** Resolves once the stream can take more (backpressure), or at once. */
  async write(record: object): Promise<void> {
    this.writeText(`${JSON.stringify(record)}\n`);
    if (this.stream.writableNeedDrain && !this.closed) await this.drained();
  }

  // events.once() would reject on the 'error' an EPIPE emits; here it just ends the wait.
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      this.stream.on('drain', done).on('close', done).on('error', done);
    });
  }

  writeText(text: string): void {
    if (this.closed || this.stream.destroyed) {
      this.closed = true;
      return;
    }
    this.stream.write(text);
  }
}
