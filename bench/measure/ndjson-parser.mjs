// Measures what decided the NDJSON reader (docs/decisions.md): how the `ndjson`
// package's parser treats a bad line and a `null` line, and the throughput of it,
// our readRecords, and a bare readline + JSON.parse loop on 200,000 lines.
import { Readable, PassThrough } from 'node:stream';
import readline from 'node:readline';
import ndjson from 'ndjson';

const { readRecords } = await import('../../shared/core/dist/ndjson/read-records.js');

const viaPipe = (text) =>
  new Promise((resolve) => {
    const seen = [];
    const parser = ndjson.parse();
    let outcome = 'end never fired (stream stopped)';
    parser.on('data', (d) => seen.push(d));
    parser.on('error', (e) => (outcome = `error: ${e.message.slice(0, 40)}`));
    parser.on('end', () => (outcome = 'end'));
    Readable.from([text]).pipe(parser);
    setTimeout(() => resolve({ seen: seen.length, outcome }), 300);
  });

const lines = 200_000;
const body = Array.from({ length: lines }, (_, i) => JSON.stringify({ slug: `task-${i}`, prompt: 'do the thing', n: i })).join('\n') + '\n';
const time = async (fn) => {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return runs.sort((a, b) => a - b)[2];
};
const ndjsonTime = await time(
  () =>
    new Promise((resolve) => {
      let n = 0;
      Readable.from([body]).pipe(ndjson.parse()).on('data', () => (n += 1)).on('end', resolve);
    }),
);
const oursTime = await time(async () => {
  let n = 0;
  for await (const item of readRecords(Readable.from([body]))) if (item.ok) n += 1;
});
const readlineTime = await time(async () => {
  let n = 0;
  for await (const line of readline.createInterface({ input: Readable.from([body]), crlfDelay: Infinity })) {
    JSON.parse(line);
    n += 1;
  }
});
console.log(JSON.stringify({
  bad_line_in_middle: await viaPipe('{"a":1}\nnot json\n{"a":2}\n'),
  null_line: await viaPipe('{"a":1}\nnull\n{"a":2}\n'),
  ms_200k: { ndjson: Math.round(ndjsonTime), readRecords: Math.round(oursTime), readline_json_parse: Math.round(readlineTime) },
}));
