import { EXIT, type ExitCode, worstExitCode } from '../errors/exit-codes.js';
import { exitCodeOf, UsageError } from '../errors/errors.js';
import { errorRecord, type ErrorRecord } from '../ndjson/error-record.js';
import { RecordOutput } from '../ndjson/output.js';
import type { Io } from './io.js';
import { forTerminal } from './terminal-text.js';

const DONE: Promise<void> = Promise.resolve();

export interface SinkOptions {
  /** The bin's name, the prefix of every line on stderr. */
  name: string;
  io: Io;
  /** A person reads stdout (a terminal without --json): human lines, no records. */
  table: boolean;
  /** The human line for a result record on a terminal. */
  human?: (record: Record<string, any>) => string;
}

/**
 * Where a bin's output goes, the same way in every bin: result records as NDJSON when
 * piped and as human lines on a terminal; every error as one `name: ...` line on stderr
 * and, when piped, one error record on stdout; and the exit code, the most severe seen.
 */
export class Sink {
  readonly out: RecordOutput;
  private readonly codes: ExitCode[] = [EXIT.ok];

  constructor(private readonly options: SinkOptions) {
    this.out = new RecordOutput(options.io.stdout);
  }

  get table(): boolean {
    return this.options.table;
  }

  /** stdout's reader has gone (EPIPE): stop quietly. */
  get closed(): boolean {
    return this.out.closed;
  }

  /** Not an async function: a queued record costs no promise of its own (100,000 task lines in a tick). */
  emit(record: Record<string, unknown>): Promise<void> {
    if (!this.options.table) return this.out.queue(record);
    // Records carry text from outside (an agent's error, a task file): never an escape sequence on a terminal.
    if (this.options.human) this.options.io.stdout.write(forTerminal(this.options.human(record), { multiline: true }));
    return DONE;
  }

  /** Reports a failed item (or tool) and keeps its exit code; the batch goes on. */
  async error(error: unknown, context: { source?: string; slug?: string } = {}): Promise<void> {
    const record = errorRecord(error, context);
    // An item from stdin that is unusable is bad input (4); usage (2) is the command line.
    const code = error instanceof UsageError && context.source?.startsWith('stdin:') ? EXIT.badInput : exitCodeOf(error);
    await this.errorRecord(record, code);
  }

  async errorRecord(record: ErrorRecord, code: ExitCode): Promise<void> {
    const where = record.source && record.source !== 'argv' ? `${record.source}: ` : '';
    this.options.io.stderr.write(`${this.options.name}: ${forTerminal(`${where}${record.message}`)}\n`);
    this.codes.push(code);
    if (!this.options.table) await this.out.queue(record);
  }

  /** Counts an outcome reported some other way (a run that failed under --wait). */
  note(code: ExitCode): void {
    this.codes.push(code);
  }

  exitCode(): ExitCode {
    this.out.writeQueued();
    return worstExitCode(this.codes);
  }
}
