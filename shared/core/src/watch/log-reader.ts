import fs from 'node:fs';
import { openStateFile } from '../fsx/safe-open.js';

/** The most of one line kept; the rest of an over-long line is skipped (and counted). */
export const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface LogLine {
  text: string;
  /** The byte offset of the line's first byte. */
  start: number;
  /** Bytes of this line beyond the cap, left out. */
  cutBytes: number;
}

export interface LogReaderOptions {
  /** Where to begin: a byte offset, or 'end' (what is there when the file opens is skipped). Default 0. */
  from?: number | 'end';
  maxLineBytes?: number;
}

/**
 * The one reader of a growing log: complete lines from a byte offset on, a chunk at a
 * time. What the supervisor follows and what dispatch-watch --log shows go through it.
 *
 * - A last line without its newline is held until the newline comes (or rest() asks).
 * - Lines are split on bytes (a newline byte never occurs inside a UTF-8 sequence), so
 *   a character split across two reads is never mangled.
 * - A line over maxLineBytes keeps its first maxLineBytes; the rest is skipped, never
 *   held, so a flood without newlines costs a scan, not memory.
 * - Truncated under us (size < offset): read again from the start.
 * - Replaced under us (the name now points at another file: a rotation): the old file
 *   is read to its end, then the new one from its start.
 * - A file that does not exist yet is opened once it does.
 */
export class LogReader {
  private fd: number | undefined;
  private offset = 0;
  /** Where the next open starts: `from` the first time; a file that replaced it, at 0. */
  private from: number | 'end';
  private readonly maxLineBytes: number;
  private readonly buffer = Buffer.alloc(CHUNK_BYTES);
  private parts: Buffer[] = [];
  private partBytes = 0;
  private partStart = 0;
  private cutting = false;
  /** Lines longer than maxLineBytes, and the bytes skipped from them. */
  readonly cut = { lines: 0, bytes: 0 };
  private lineCut = 0;
  /** Every byte read so far. */
  bytesRead = 0;

  constructor(
    readonly file: string,
    options: LogReaderOptions = {},
  ) {
    this.from = options.from ?? 0;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.open();
  }

  private open(): boolean {
    if (this.fd !== undefined) return true;
    try {
      // Through the safe opener: a log that is a link, another user's file or tracked by git is refused.
      this.fd = openStateFile(this.file, 'read');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    this.offset = this.from === 'end' ? fs.fstatSync(this.fd).size : this.from;
    this.partStart = this.offset;
    this.from = 0;
    return true;
  }

  /** The name points at another file than the one open (or at none). */
  private replaced(): boolean {
    const now = fs.statSync(this.file, { throwIfNoEntry: false });
    return now !== undefined && now.ino !== fs.fstatSync(this.fd as number).ino;
  }

  /** One chunk's complete lines (maybe none); undefined at the end of what is there. */
  next(): LogLine[] | undefined {
    if (!this.open()) return undefined;
    const fd = this.fd as number;
    if (fs.fstatSync(fd).size < this.offset) {
      this.offset = 0;
      this.drop();
    }
    const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
    if (n <= 0) {
      if (!this.replaced()) return undefined;
      // Rotated: the old file's last words are a line; then the new file from its start.
      const last = this.rest();
      fs.closeSync(fd);
      this.fd = undefined;
      this.open();
      return last ? [last] : [];
    }
    const lines: LogLine[] = [];
    const chunk = this.buffer.subarray(0, n);
    let at = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, at);
      this.keep(chunk.subarray(at, newline < 0 ? n : newline));
      if (newline < 0) break;
      lines.push(this.take(this.offset + newline + 1));
      at = newline + 1;
    }
    this.offset += n;
    this.bytesRead += n;
    return lines;
  }

  /** The held last line (no newline yet), as a line; for the end of a run or a read. */
  rest(): LogLine | undefined {
    return this.partBytes > 0 || this.cutting ? this.take(this.offset) : undefined;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.partBytes;
    if (bytes.length > room) {
      if (!this.cutting) this.cut.lines += 1;
      this.cutting = true;
      this.cut.bytes += bytes.length - room;
      this.lineCut += bytes.length - room;
      bytes = bytes.subarray(0, room);
    }
    if (bytes.length === 0) return;
    // A copy: the read buffer is reused by the next read.
    this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }

  private take(nextStart: number): LogLine {
    const text = this.parts.length === 1 ? (this.parts[0] as Buffer).toString('utf8') : Buffer.concat(this.parts, this.partBytes).toString('utf8');
    const line = { text, start: this.partStart, cutBytes: this.lineCut };
    this.drop();
    this.partStart = nextStart;
    return line;
  }

  private drop(): void {
    this.parts = [];
    this.partBytes = 0;
    this.cutting = false;
    this.lineCut = 0;
    this.partStart = this.offset;
  }
}
