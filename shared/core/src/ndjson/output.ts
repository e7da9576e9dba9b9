import type { Writable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

/**
 * Waits until a stream takes more, or is gone. events.once() would reject on the 'error'
 * an EPIPE emits; here that just ends the wait, so a closed reader never hangs a writer.
 */
export const drained = (stream: Writable): Promise<void> =>
  !stream.writableNeedDrain
    ? Promise.resolve()
    : new Promise((resolve) => {
        const done = () => {
          stream.off('drain', done).off('close', done).off('error', done);
          resolve();
        };
        stream.on('drain', done).on('close', done).on('error', done);
      });

// Outputs holding queued records, so an error written around them can go after them.
const queued = new Set<RecordOutput>();
// What queue() returns when the record only waits for the end of the turn: one settled promise for all.
const QUEUED: Promise<void> = Promise.resolve();

/** Writes every queued record now (before a last error record, or an exit). */
export const flushQueuedOutputs = (): void => {
  for (const out of queued) out.writeQueued();
};

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

  private buffer = '';

  /** Writes one record now; resolves once the stream can take more (backpressure). */
  async write(record: object): Promise<void> {
    // After whatever is queued, in order.
    this.buffer += `${JSON.stringify(record)}\n`;
    await this.flush();
  }

  /**
   * Queues one record and writes in 64 KB chunks: for long batches (100,000 records are
   * a few hundred writes, not 100,000). Call flush() when the batch ends. Not an async
   * function, like queue().
   */
  push(record: object): Promise<void> {
    this.buffer += `${JSON.stringify(record)}\n`;
    return this.buffer.length >= CHUNK_BYTES ? this.flush() : QUEUED;
  }

  /**
   * Queues one record, written at the end of this turn of the event loop (or at 64 KB):
   * a burst of records (a tick's 100,000 task lines) becomes a few writes, and a record
   * followed by a wait (dispatch --wait) still reaches the reader at once. Not an async
   * function: the usual queued record costs no promise of its own.
   */
  queue(record: object): Promise<void> {
    this.buffer += `${JSON.stringify(record)}\n`;
    if (this.buffer.length >= CHUNK_BYTES) return this.flush();
    if (!queued.has(this)) {
      queued.add(this);
      setImmediate(() => this.writeQueued());
    }
    return QUEUED;
  }

  /** Writes what is queued, without waiting for the stream. */
  writeQueued(): void {
    queued.delete(this);
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    this.writeText(text);
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    this.writeText(text);
    if (this.stream.writableNeedDrain && !this.closed) await drained(this.stream);
  }

  writeText(text: string): void {
    if (this.closed || this.stream.destroyed) {
      this.closed = true;
      return;
    }
    this.stream.write(text);
  }
}
