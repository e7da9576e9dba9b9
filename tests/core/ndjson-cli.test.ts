import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import t from 'tap';
import { parseFlags } from '@task-manager/core/cli/flags';
import { runBin } from '@task-manager/core/cli/run-bin';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { BadInputError, ConflictError, UsageError } from '@task-manager/core/errors/errors';
import { EXIT, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { readRecords } from '@task-manager/core/ndjson/read-records';
import { binPath, fixture, nodeCommand } from '../fixtures/e2e.js';

const collect = async (input: string | Buffer) => {
  const items = [];
  for await (const item of readRecords(Readable.from([Buffer.from(input)]))) items.push(item);
  return items;
};

t.test('readRecords: one error per bad line, the good lines still read', async (t) => {
  const big = 'x'.repeat(5 * 1024 * 1024);
  const input = ['\uFEFF{"slug":"a"}', '{"slug":"b"}\r', '', 'not json', 'null', '[1]', '3', `{"pad":"${big}"}`, '{"slug":"c","extra":{"unknown":true}}', '{"slug":"d"'].join('\n');
  const items = await collect(input);
  t.same(
    items.map((i) => (i.ok ? i.value.slug : `${i.source}: ${i.reason}`)),
    [
      'a',
      'b',
      'stdin:4: not valid JSON',
      'stdin:5: expected a JSON object',
      'stdin:6: expected a JSON object',
      'stdin:7: expected a JSON object',
      `stdin:8: line is longer than ${1024 * 1024} bytes`,
      'c',
      'stdin:10: input ended in the middle of this line',
    ],
  );
  const last = await collect('{"slug":"e"}');
  t.match(last, [{ ok: true, value: { slug: 'e' } }], 'a complete last line without a newline is accepted');
  const split = Readable.from([Buffer.from('{"s":"caf'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x22, 0x7d, 0x0a])]);
  const items2 = [];
  for await (const item of readRecords(split)) items2.push(item);
  t.match(items2, [{ ok: true, value: { s: 'café' } }], 'a character split across chunks');
});

t.test('RecordOutput: a reader that goes away ends the writer quietly, exit 0', async (t) => {
  const child = spawn('sh', ['-c', `node ${JSON.stringify(fixture('core', 'output-epipe.mjs'))} | head -1`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  t.equal(out.trim().split('\n').length, 1);
  t.equal(err, '', 'nothing on stderr');
  // And the real bins: a broken pipe is not a crash.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-epipe-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `t${i}.md`), `---\nstatus: ready\n---\n`);
  const pipe = spawn('bash', ['-c', `${nodeCommand(binPath('hb-tick'))} --dry-run --tasks-dir ${dir} --state-dir ${dir}/state | head -1 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let perr = '';
  let pout = '';
  pipe.stderr.on('data', (d) => (perr += d));
  pipe.stdout.on('data', (d) => (pout += d));
  await new Promise((resolve) => pipe.on('close', resolve));
  t.equal(pout.trim(), 'status 0', 'hb-tick exits 0 when its reader goes away');
  t.notMatch(perr, /Error|EPIPE/, 'no crash on EPIPE');
});

t.test('parseFlags: declared flags only, strings stay strings, - is stdin', async (t) => {
  const spec = { string: ['id', 'prompt'], boolean: ['wait'] };
  t.same(parseFlags(['--id', '007', 'a', '-', 'b'], spec).flags.id, '007', 'no number coercion');
  t.same(parseFlags(['a', '-', 'b', '--wait'], spec).positionals, ['a', '-', 'b']);
  t.same(parseFlags(['--', '-x'], spec).positionals, ['-x'], 'after --, a dash word is a positional');
  t.throws(() => parseFlags(['--nope'], spec), { code: 'usage', message: 'unknown option --nope' });
  t.throws(() => parseFlags(['-z'], spec), { message: 'unknown option -z' });
  t.throws(() => parseFlags(['--prompt'], spec), { message: '--prompt needs a value' });
  t.throws(() => parseFlags(['--prompt', 'a', '--prompt', 'b'], spec), { message: /more than once/ });
  t.throws(() => parseFlags(['--wait=yes'], spec), { message: /takes no value/ });
});

t.test('runBin: help, version, and typed errors become exit codes, a stderr line and an error record', async (t) => {
  const io = () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    return { io: { stdin: Readable.from([]), stdout, stderr, env: {}, cwd: process.cwd() }, out: () => out, err: () => err };
  };
  const spec = (error?: Error) => ({ name: 'tool', version: '1.2.3', help: 'Usage: tool', flags: {}, run: async () => { if (error) throw error; return EXIT.ok; } });
  let s = io();
  t.equal(await runBin(spec(), ['--help'], s.io), 0);
  t.equal(s.out(), 'Usage: tool\n');
  s = io();
  t.equal(await runBin(spec(), ['--version'], s.io), 0);
  t.equal(s.out(), 'tool 1.2.3\n');
  const cases: [Error | undefined, string[], number, string][] = [
    [undefined, ['--bogus'], 2, 'usage'],
    [new UsageError('bad value'), [], 2, 'usage'],
    [new ConflictError('busy'), [], 3, 'conflict'],
    [new BadInputError('bad line', 'invalid_record'), [], 4, 'invalid_record'],
    [new Error('boom'), [], 1, 'internal'],
  ];
  for (const [error, argv, code, recordCode] of cases) {
    s = io();
    t.equal(await runBin(spec(error), argv, s.io), code, recordCode);
    t.match(JSON.parse(s.out()), { type: 'error', code: recordCode });
    t.match(s.err(), /^tool: /);
  }
  // On a terminal the stderr line is the whole report: no JSON record among human lines.
  s = io();
  (s.io.stdout as PassThrough & { isTTY?: boolean }).isTTY = true;
  t.equal(await runBin(spec(new ConflictError('busy')), [], s.io), 3);
  t.equal(s.out(), '', 'no record on a terminal');
  t.equal(s.err(), 'tool: busy\n', 'one human line');
  s = io();
  (s.io.stdout as PassThrough & { isTTY?: boolean }).isTTY = true;
  t.equal(await runBin(spec(new ConflictError('busy')), ['--json'], s.io), 3);
  t.match(JSON.parse(s.out()), { type: 'error', code: 'conflict' }, '--json keeps the record on a terminal');
  t.equal(worstExitCode([EXIT.ok, EXIT.conflict, EXIT.badInput]), EXIT.badInput);
  t.equal(worstExitCode([EXIT.runFailed, EXIT.conflict]), EXIT.conflict);
  t.equal(worstExitCode([EXIT.badInput, EXIT.failure, EXIT.usage]), EXIT.usage);
});

t.test('config: flags > environment > defaults, with the seed names', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-config-')); // not a git repository
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const defaults = resolveConfig({ 'state-dir': 's' }, {}, dir);
  t.equal(defaults.maxDispatchesPerCycle, 1);
  t.equal(defaults.dispatchTimeoutMs, 45_000);
  t.equal(defaults.retryCooldownMs, 300_000);
  t.same(defaults.workerLayers().map((l) => l.worker ?? l.workerCmd ?? null), [null, null], 'no worker named: the default applies');
  t.equal(defaults.stateDir, path.join(dir, 's'), 'an explicit state dir needs no git');
  const env = { TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: '3', TASK_MANAGER_DISPATCH_TIMEOUT_SECONDS: '10', TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '60', TASK_MANAGER_STATE_DIR: '/x/state', TASK_MANAGER_WORKER_CMD: 'agent --go' };
  const fromEnv = resolveConfig({}, env, dir);
  t.equal(fromEnv.maxDispatchesPerCycle, 3);
  t.equal(fromEnv.dispatchTimeoutMs, 10_000);
  t.equal(fromEnv.retryCooldownMs, 60_000);
  t.equal(fromEnv.stateDir, '/x/state');
  t.match(fromEnv.workerLayers()[1], { kind: 'env', from: 'TASK_MANAGER_WORKER_CMD', workerCmd: 'agent --go' });
  const fromFlags = resolveConfig({ 'max-dispatches-per-cycle': '5', timeout: '2', worker: 'codex' }, env, dir);
  t.equal(fromFlags.maxDispatchesPerCycle, 5);
  t.equal(fromFlags.dispatchTimeoutMs, 2000);
  t.match(fromFlags.workerLayers()[0], { kind: 'flag', worker: 'codex' });
  t.throws(() => resolveConfig({}, { TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE: 'lots' }, dir).maxDispatchesPerCycle, { code: 'usage', message: /TASK_MANAGER_MAX_DISPATCHES_PER_CYCLE must be a whole number/ });
  t.throws(() => resolveConfig({ timeout: '-1' }, {}, dir).dispatchTimeoutMs, { message: /--timeout must be a number >= 0, got "-1"/ });
  // A setting is checked when it is read: a tool that never reads it is not stopped by it.
  t.doesNotThrow(() => resolveConfig({}, { TASK_MANAGER_MAX_ATTEMPTS: 'many' }, dir).graceMs, 'a bad setting another tool reads');
  t.throws(() => resolveConfig({}, {}, dir).stateDir, { code: 'not_a_repository' }, 'the default state dir needs a repository, and says so');
});

t.test('a value flag takes the next word even when it starts with a dash', async (t) => {
  const spec = { string: ['prompt'], boolean: ['wait'] };
  t.same(parseFlags(['--prompt', '-rf now', '--wait'], spec).flags.prompt, '-rf now');
  t.same(parseFlags(['--prompt', '--wait'], spec).flags.prompt, '--wait', "getopt's rule: the next word is the value");
  t.notOk(parseFlags(['--prompt', '--wait'], spec).flags.wait);
});
