import { EXIT } from '../errors/exit-codes.js';
import type { ExitCode } from '../errors/exit-codes.js';
import { readRecordChunks } from '../ndjson/read-records.js';
import { nowIso } from '../time/clock.js';
import type { Io } from './io.js';
import type { Sink } from './sink.js';

/** One unit of work: a positional argument, or one NDJSON record from stdin. */
export interface BatchItem {
  value: Record<string, unknown>;
  /** `argv`, or `stdin:N`. */
  source: string;
}

export interface BadLine {
  reason: string;
  source: string;
  text: string;
}

/** The error record for an NDJSON line that is not a JSON object. */
export const badLineRecord = (bad: BadLine) => ({ type: 'error' as const, code: 'invalid_record', message: `${bad.reason}: ${bad.text}`, source: bad.source, ts: nowIso() });

/**
 * Positionals become `{slug}` items; a lone `-` means NDJSON records from stdin (each
 * good line's own item, not a copy), every item handled before the next bad line is reported.
 */
export async function* batchItems(positionals: string[], io: Io, onBad: (item: BadLine) => Promise<void>): AsyncGenerator<BatchItem> {
  for (const arg of positionals) {
    if (arg === '-') {
      for await (const items of readRecordChunks(io.stdin)) {
        for (const item of items) {
          if (item.ok) yield item;
          else await onBad(item);
        }
      }
    } else {
      yield { value: { slug: arg }, source: 'argv' };
    }
  }
}

/**
 * Runs `handle` for every item; a failing item becomes an error on the sink (a line on
 * stderr, a record when piped) and the batch goes on. Stops early, quietly, when
 * stdout's reader has gone. The sink keeps the most severe exit code.
 */
export const runBatch = async (sink: Sink, positionals: string[], io: Io, handle: (item: BatchItem) => Promise<ExitCode | void>): Promise<ExitCode> => {
  const onBad = (bad: BadLine) => sink.errorRecord(badLineRecord(bad), EXIT.badInput);
  for await (const item of batchItems(positionals, io, onBad)) {
    if (sink.closed) break;
    try {
      const code = await handle(item);
      if (code !== undefined) sink.note(code);
    } catch (error) {
      const slug = typeof item.value.slug === 'string' ? item.value.slug : undefined;
      await sink.error(error, { source: item.source, ...(slug ? { slug } : {}) });
    }
  }
  return sink.exitCode();
};
