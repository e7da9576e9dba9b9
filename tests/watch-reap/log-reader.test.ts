// The one reader of a growing log (the supervisor's follower and dispatch-watch --log
// both use it), and the run header it finds runs by — on real files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { LogFollower } from '@task-manager/core/supervisor/log-follower';
import { parseRunHeader, runHeader } from '@task-manager/core/watch/log-header';
import { LogReader } from '@task-manager/core/watch/log-reader';

const tempLog = (t: { teardown: (f: () => void) => void }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'dispatch-x.log');
};
const readAll = (reader: LogReader) => {
  const out: { text: string; start: number; cutBytes: number }[] = [];
  for (let lines = reader.next(); lines; lines = reader.next()) out.push(...lines);
  return out;
};

t.test('complete lines with their offsets; a partial line waits for its newline, a split character is not mangled', async (t) => {
  const log = tempLog(t);
  const reader = new LogReader(log);
  t.teardown(() => reader.close());
  t.same(readAll(reader), [], 'no file yet: nothing, and no error');
  fs.writeFileSync(log, 'one\ntw');
  t.same(readAll(reader), [{ text: 'one', start: 0, cutBytes: 0 }], 'opened once it exists');
  const snow = Buffer.from('ö');
  fs.appendFileSync(log, Buffer.concat([Buffer.from('o '), snow.subarray(0, 1)]));
  t.same(readAll(reader), []);
  fs.appendFileSync(log, Buffer.concat([snow.subarray(1), Buffer.from('\nthree')]));
  t.same(readAll(reader), [{ text: 'two ö', start: 4, cutBytes: 0 }]);
  t.same(reader.rest(), { text: 'three', start: 11, cutBytes: 0 }, 'the held last line, when asked');
  t.equal(reader.rest(), undefined);
});

t.test('from an offset or the end; truncation starts over; rotation finishes the old file, then reads the new', async (t) => {
  const log = tempLog(t);
  fs.writeFileSync(log, 'a\nb\nc\n');
  const fromOffset = new LogReader(log, { from: 2 });
  t.same(readAll(fromOffset).map((l) => l.text), ['b', 'c']);
  const fromEnd = new LogReader(log, { from: 'end' });
  fs.appendFileSync(log, 'd\n');
  t.same(readAll(fromEnd).map((l) => l.text), ['d'], 'from the end: only what came after');
  fs.writeFileSync(log, 'new\n');
  t.same(readAll(fromEnd), [{ text: 'new', start: 0, cutBytes: 0 }], 'truncated (size < offset): from the start again');
  fs.appendFileSync(log, 'old tail');
  fs.renameSync(log, `${log}.1`);
  fs.writeFileSync(log, 'fresh\n');
  t.same(readAll(fromEnd).map((l) => l.text), ['old tail', 'fresh'], 'rotated: the old file\'s last words, then the new file');
  fromOffset.close();
  fromEnd.close();
});

t.test('an over-long line keeps its first bytes; the rest is skipped, counted, never held', async (t) => {
  const log = tempLog(t);
  const reader = new LogReader(log, { maxLineBytes: 10 });
  fs.writeFileSync(log, `${'x'.repeat(100_000)}\nshort\n${'y'.repeat(25)}`);
  t.same(readAll(reader).map((l) => l.text), ['x'.repeat(10), 'short']);
  t.same(reader.rest()?.text, 'y'.repeat(10));
  t.same(reader.cut, { lines: 2, bytes: 100_000 - 10 + 15 });
  reader.close();
  // The default cap is 1 MiB, through the supervisor's follower too.
  const big = `${log}.big`;
  fs.writeFileSync(big, '');
  const lines: string[] = [];
  let bytes = 0;
  const follower = new LogFollower(big, (l: string) => lines.push(l), (n: number) => (bytes += n));
  fs.appendFileSync(big, `${'z'.repeat(3 * 1024 * 1024)}\nafter\nlast`);
  follower.close();
  t.same(lines.map((l) => l.length), [1024 * 1024, 5, 4], 'capped at 1 MiB; the next line and the unfinished last one arrive');
  t.equal(bytes, 3 * 1024 * 1024 + 11, 'every byte counted as output');
  t.same(follower.cut, { lines: 1, bytes: 2 * 1024 * 1024 });
});

t.test('the run header names the prompt it carried, and parses back; old headers still parse', async (t) => {
  const base = { runId: 'r-1', slug: 'fix', attempt: 2, worker: 'claude', at: '2026-01-01T00:00:00.000Z' };
  const first = runHeader({ ...base, followupId: null, prompt: 'Fix the "login" ===\nsecond line' });
  t.equal(first, '=== task-manager: run r-1 of fix (attempt 2, worker claude) at 2026-01-01T00:00:00.000Z; prompt "Fix the \\"login\\" === …" ===');
  t.same(parseRunHeader(first), { ...base, followupId: null, prompt: 'Fix the "login" === …' });
  const followup = runHeader({ ...base, followupId: 'f-9', prompt: `${'long '.repeat(40)}` });
  t.match(parseRunHeader(followup), { runId: 'r-1', followupId: 'f-9', prompt: /^long long .*…$/ });
  t.ok((parseRunHeader(followup)?.prompt?.length ?? 99) <= 80, 'the prompt cut to 80 characters');
  t.same(parseRunHeader('=== task-manager: run r-0 of fix (attempt 1, worker demo) at 2026-01-01T00:00:00.000Z ==='), { ...base, runId: 'r-0', attempt: 1, worker: 'demo' });
  t.equal(parseRunHeader('=== task-manager: run of nothing ==='), undefined);
  t.equal(parseRunHeader('{"type":"result"}'), undefined);
});
