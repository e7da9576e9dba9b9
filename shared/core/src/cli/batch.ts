import { EXIT, type ExitCode, worstExitCode } from '../errors/exit-codes.js';
import { exitCodeOf } from '../errors/errors.js';
import { errorRecord } from '../ndjson/error-record.js';
import type { RecordOutput } from '../ndjson/output.js';
import { readRecords } from '../ndjson/read-records.js';
import { nowIso } from '../time/clock.js';
import type { Io } from './io.js';

/** One unit of work: a positional argument, or one NDJSON record from stdin. */
export interface BatchItem {
  value: Record<string, unknown>;
  /** `argv`, or `stdin:N`. */
  source: string;
}

/** Positionals become `{slug}` items; a lone `-` means NDJSON records from stdin. */
export async function* batchItems(positionals: string[], io: Io, onBad: (item: { reason: string; source: string; text: string }) => Promise<void>): AsyncGenerator<BatchItem> {
  for (const arg of positionals) {
    if (arg === '-') {
      for await (const item of readRecords(io.stdin)) {
        if (item.ok) yield { value: item.value, source: item.source };
        else await onBad(item);
      }
    } else {
      yield { value: { slug: arg }, source: 'argv' };
    }
  }
}

/**
 * Runs `handle` for every item; a failing item becomes one error record on stdout and
 * one `tool: source: message` line on stderr, and the batch goes on. Returns the most
 * severe exit code. Stops early, quietly, when stdout's reader has gone.
 */
export const runBatch = async (
  name: string,
  positionals: string[],
  io: Io,
  out: RecordOutput,
  handle: (item: BatchItem) => Promise<ExitCode | void>,
): Promise<ExitCode> => {
  const codes: ExitCode[] = [EXIT.ok];
  const report = async (error: unknown, source: string, slug?: unknown) => {
    const record = errorRecord(error, { source, ...(typeof slug === 'string' ? { slug } : {}) });
    io.stderr.write(`${name}: ${source === 'argv' ? '' : `${source}: `}${record.message}\n`);
    await out.write(record);
    codes.push(exitCodeOf(error));
  };
  const onBad = async (bad: { reason: string; source: string; text: string }) => {
    const record = { type: 'error' as const, code: 'invalid_record', message: `${bad.reason}: ${bad.text}`, source: bad.source, ts: nowIso() };
    io.stderr.write(`${name}: ${bad.source}: ${record.message}\n`);
    await out.write(record);
    codes.push(EXIT.badInput);
  };
  for await (const item of batchItems(positionals, io, onBad)) {
    if (out.closed) break;
    try {
      const code = await handle(item);
      if (code !== undefined) codes.push(code);
    } catch (error) {
      await report(error, item.source, item.value.slug);
    }
  }
  return worstExitCode(codes);
};
