import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** Longer lines are refused (and skipped to the next newline) rather than buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type InputItem =
  | { ok: true; value: Record<string, unknown>; source: string; line: number }
  | { ok: false; reason: string; source: string; line: number; text: string };

const excerpt = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

const parseLine = (text: string, line: number, source: string, complete: boolean): InputItem | undefined => {
  let body = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line === 1 && body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  if (body.trim() === '') return undefined;
  const at = `${source}:${line}`;
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, reason: 'expected a JSON object', source: at, line, text: excerpt(body) };
    }
    return { ok: true, value: value as Record<string, unknown>, source: at, line };
  } catch {
    const reason = complete ? 'not valid JSON' : 'input ended in the middle of this line';
    return { ok: false, reason, source: at, line, text: excerpt(body) };
  }
};

const tooLong = (text: string, line: number, source: string): InputItem => ({
  ok: false,
  reason: `line is longer than ${MAX_LINE_BYTES} bytes`,
  source: `${source}:${line}`,
  line,
  text: excerpt(text.slice(0, 100)),
});

/**
 * The items of one chunk of input at a time (see readRecords), in order: a reader of
 * 100,000 lines awaits once per chunk read, not once per line (~0.4 µs a line, most of
 * hb-tick's pass-through beyond parsing).
 */
export async function* readRecordChunks(input: Readable, source = 'stdin'): AsyncGenerator<InputItem[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  let skippingLong = false;
  for await (const chunk of input) {
    const items: InputItem[] = [];
    let text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    pending = '';
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      if (skippingLong) {
        // The end of a line already reported (and counted) as too long.
        skippingLong = false;
        start = nl + 1;
        continue;
      }
      line += 1;
      if (nl - start > MAX_LINE_BYTES && Buffer.byteLength(text.slice(start, nl)) > MAX_LINE_BYTES) {
        items.push(tooLong(text.slice(start, start + 80), line, source));
      } else {
        const item = parseLine(text.slice(start, nl), line, source, true);
        if (item) items.push(item);
      }
      start = nl + 1;
    }
    text = text.slice(start);
    if (!skippingLong && Buffer.byteLength(text) > MAX_LINE_BYTES) {
      line += 1;
      items.push(tooLong(text, line, source));
      skippingLong = true;
    }
    if (!skippingLong) pending = text;
    if (items.length > 0) yield items;
  }
  pending += decoder.end();
  if (pending !== '' && !skippingLong) {
    const item = parseLine(pending, line + 1, source, false);
    if (item) yield [item];
  }
}

/**
 * Yields one item per non-blank line: a parsed object, or the reason it is bad. A bad
 * line never stops the stream (the ndjson package's parser does stop, or treats a
 * `null` line as the end; see docs/decisions.md). BOM and CRLF are accepted; a last
 * line without a newline is accepted if it parses and reported as cut off if not.
 */
export async function* readRecords(input: Readable, source = 'stdin'): AsyncGenerator<InputItem> {
  for await (const items of readRecordChunks(input, source)) yield* items;
}
