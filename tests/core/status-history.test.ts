import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { appendHistory } from '@task-manager/core/history/append-history';
import { readHistory } from '@task-manager/core/history/read-history';
import { parseStatus, readStatus, readStatusIfExists, StatusFileError } from '@task-manager/core/status/read-status';
import type { StatusRecord } from '@task-manager/core/status/schema';
import { writeStatus } from '@task-manager/core/status/write-status';
import { fixture } from '../fixtures/e2e.js';

const tmp = (t: { teardown: (f: () => void) => void }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-core-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};

const sample = (): StatusRecord => ({
  type: 'status',
  version: 1,
  slug: 'fix-login',
  state: 'running',
  fence: 3,
  run_id: 'r-20261124T220000Z-abcdef',
  attempt: 2,
  failures: 1,
  token: '0123456789abcdef0123456789abcdef',
  owner: { boot_id: 'b', pid: 10, start_time: '100' },
  worker: { boot_id: 'b', pid: 11, start_time: '101' },
  spec: { worker: 'claude', worker_cmd: null, repo: '/r', worktree: '/r/.worktrees/fix-login', branch: 'task/fix-login', stall_ms: 1, max_run_ms: 2, grace_ms: 3 },
  prompt: 'Fix it — «ünïcode» "quotes"\nnewline',
  session_id: '9f0493b3-0a83-4e71-b3e6-542b3edcac14',
  created_at: '2026-11-24T22:00:00.000Z',
  updated_at: '2026-11-24T22:00:00.000Z',
  started_at: '2026-11-24T22:00:01.000Z',
  ended_at: null,
  ended_mono: null,
  last_output_at: null,
  exit_code: null,
  signal: null,
  outcome: null,
  reason: null,
  cost_usd: 0.25,
  followups: [{ id: 'f-1', prompt: 'also this', mode: 'queue', queued_at: '2026-11-24T22:00:02.000Z' }],
  followup_id: null,
  interrupt_requested: null,
});

t.test('a status round-trips, owner-only, with no temp file left', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'dispatch-fix-login.status.json');
  const written = writeStatus(file, sample());
  t.same(readStatus(file), written);
  t.equal(fs.statSync(file).mode & 0o777, 0o600);
  t.same(fs.readdirSync(dir), ['dispatch-fix-login.status.json']);
});

t.test('a status truncated at every byte offset is a clear error, never a crash or "no worker"', async (t) => {
  const text = `${JSON.stringify(sample())}\n`;
  const codes = new Set<string>();
  let failures = 0;
  for (let cut = 0; cut < text.length - 1; cut++) {
    try {
      parseStatus('f', text.slice(0, cut));
      failures += 1; // a prefix that parsed as a status would be a silent misread
    } catch (error) {
      if (!(error instanceof StatusFileError)) throw error;
      codes.add(error.code);
    }
  }
  t.equal(failures, 0, `all ${text.length - 1} truncations refused`);
  t.same([...codes].sort(), ['status_empty', 'status_invalid_json']);
  t.ok(parseStatus('f', text.slice(0, text.length - 1)), 'only the final newline may go');
});

t.test('every field of a status is checked, by name', async (t) => {
  const good = { ...sample(), held: null, stop_requested: null, branch: null, base_commit: null, worktree_setup: null, limit: null, cost_total_usd: null };
  t.equal(parseStatus('f', JSON.stringify(good)).slug, sample().slug, 'a good one, with every optional field');
  const optional = ['held', 'stop_requested', 'branch', 'base_commit', 'worktree_setup', 'limit', 'cost_total_usd'];
  // ended_mono is left to its reader (the retry cooldown), as it always was.
  for (const field of Object.keys(good).filter((f) => !['type', 'version', 'ended_mono'].includes(f))) {
    const record: Record<string, unknown> = { ...good };
    if (optional.includes(field)) {
      // Absent is fine (written before the field existed); a wrong type is not.
      delete record[field];
      t.ok(parseStatus('f', JSON.stringify(record)), `${field} absent`);
      record[field] = field === 'cost_total_usd' ? 'lots' : 12345;
      t.throws(() => parseStatus('f', JSON.stringify(record)), { code: 'status_wrong_shape', message: new RegExp(`field "${field}" has the wrong type`) }, `${field} of the wrong type`);
    } else {
      delete record[field];
      t.throws(() => parseStatus('f', JSON.stringify(record)), { code: 'status_wrong_shape', message: new RegExp(`field "${field}" is missing`) }, `${field} missing`);
    }
  }
});

t.test('empty, not JSON, wrong shape, a directory, missing', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 's.json');
  const cases: [string, string | null, string][] = [
    ['empty', '', 'status_empty'],
    ['not JSON', 'hello', 'status_invalid_json'],
    ['an array', '[1,2]', 'status_wrong_shape'],
    ['wrong type', JSON.stringify({ ...sample(), fence: 'three' }), 'status_wrong_shape'],
    ['missing field', JSON.stringify({ ...sample(), state: undefined }), 'status_wrong_shape'],
    ['unknown state', JSON.stringify({ ...sample(), state: 'zombie' }), 'status_wrong_shape'],
    // Not a regular file: refused like a link would be (fsx/safe-open.ts).
    ['a directory', null, 'unsafe_state_file'],
  ];
  for (const [what, content, code] of cases) {
    fs.rmSync(file, { recursive: true, force: true });
    if (content === null) fs.mkdirSync(file);
    else fs.writeFileSync(file, content);
    t.throws(() => readStatus(file), { code }, what);
    t.throws(() => readStatusIfExists(file), { code }, `${what}: never read as "no worker"`);
  }
  fs.rmSync(file, { recursive: true, force: true });
  t.equal(readStatusIfExists(file), undefined, 'no file: never dispatched');
  t.throws(() => readStatus(file), { code: 'status_missing', message: /does not exist/ });
});

t.test('a failed atomic write leaves the old status byte-identical and no temp file', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'dispatch-x.status.json');
  fs.writeFileSync(file, 'OLD CONTENT\n');
  // ulimit -f caps file size (in 512-byte blocks): the temp file cannot be written whole.
  const out = execFileSync('bash', ['-c', `ulimit -f 4; node ${JSON.stringify(fixture('core', 'write-atomic.mjs'))} ${JSON.stringify(file)} 100000; echo "exit $?"`], {
    encoding: 'utf8',
  });
  t.match(out, /EFBIG\nexit 3/);
  t.equal(fs.readFileSync(file, 'utf8'), 'OLD CONTENT\n');
  t.same(fs.readdirSync(dir), ['dispatch-x.status.json'], 'no temp file left behind');
});

t.test('history: concurrent writers never interleave; a torn tail is skipped and never glued to', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'h.jsonl');
  const writers = ['a', 'b', 'c', 'd'];
  await Promise.all(
    writers.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [fixture('core', 'append-history.mjs'), file, name, '200', '4096'], { stdio: 'inherit' });
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited ${code}`))));
        }),
    ),
  );
  const all = readHistory(file);
  t.equal(all.records.length, 800, 'every record whole');
  t.same(all.damaged, []);
  for (const name of writers) {
    t.same(all.records.filter((r) => r.writer === name).map((r) => r.i), [...Array(200).keys()], `writer ${name} in order`);
  }
  t.equal(fs.statSync(file).mode & 0o777, 0o600);

  // A writer died mid-record, in the middle of a multi-byte character.
  const torn = Buffer.concat([Buffer.from('{"type":"history","event":"torn","slug":"s","text":"caf'), Buffer.from('é').subarray(0, 1)]);
  fs.appendFileSync(file, torn);
  const withTorn = readHistory(file);
  t.equal(withTorn.records.length, 800);
  t.ok(withTorn.tornTail, 'the torn final line is skipped quietly');
  appendHistory(file, { event: 'after', slug: 's' });
  const repaired = readHistory(file);
  t.equal(repaired.records.length, 801);
  t.equal(repaired.records.at(-1)?.event, 'after', 'the next record is whole, not glued to the torn one');
  t.equal(repaired.damaged.length, 1, 'the old torn fragment is reported, not lost silently');
  t.notOk(repaired.tornTail);
});
