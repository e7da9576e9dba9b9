// Bad input is refused clearly, with the right exit code, and nothing else is lost.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf, waitFor, writeTask, chainOver } from '../fixtures/e2e.js';
import { runTool, type ToolName } from '../fixtures/in-process.js';

t.test('blank instructions are refused like an empty --prompt', async (t) => {
  const box = sandbox(t);
  const blank = await runBin('dispatch', ['b1', '--prompt', '  \n\t', '--worker', 'demo'], { cwd: box.repo, env: box.env });
  t.equal(blank.code, 2);
  t.match(blank.stderr, /--prompt is blank/);
  const file = path.join(path.dirname(box.repo), 'empty.txt');
  fs.writeFileSync(file, '\n  \n');
  const empty = await runBin('dispatch', ['b2', '--prompt-file', file, '--worker', 'demo'], { cwd: box.repo, env: box.env });
  t.equal(empty.code, 2);
  t.match(empty.stderr, /--prompt-file .*empty\.txt is blank/);
  const followup = await runBin('dispatch-continue', ['-'], { cwd: box.repo, env: box.env, input: '{"slug":"b3","prompt":"  \\n "}\n' });
  t.equal(followup.code, 4, 'a blank follow-up record is bad input');
  t.match(followup.records[0], { type: 'error', code: 'invalid_prompt', source: 'stdin:1' });
  for (const slug of ['b1', 'b2', 'b3']) t.notOk(fs.existsSync(path.join(box.stateDir, `dispatch-${slug}.status.json`)), `${slug}: nothing started or queued`);
  const big = path.join(path.dirname(box.repo), 'big.txt');
  fs.writeFileSync(big, 'x'.repeat(200 * 1024));
  const huge = await runBin('dispatch', ['b4', '--prompt-file', big, '--worker', 'demo'], { cwd: box.repo, env: box.env });
  t.equal(huge.code, 2, 'a prompt too long to pass is refused up front');
  t.match(huge.stderr, /over the 102400-byte limit/);
  const hugeRecord = await runBin('dispatch', ['-'], { cwd: box.repo, env: box.env, input: `${JSON.stringify({ slug: 'b5', prompt: 'y'.repeat(200 * 1024), worker: 'demo' })}\n` });
  t.equal(hugeRecord.code, 4, 'and as a record, bad input');
  t.match(hugeRecord.records[0], { code: 'invalid_prompt', source: 'stdin:1' });
});

t.test('one bad record among good ones is bad input (4); the good ones start', async (t) => {
  const box = sandbox(t);
  const input = ['{"slug":"g1","prompt":"x","worker":"demo"}', '{"slug":"b"}', '{"slug":"c","prompt":"x","worker":"bogus"}', '{"slug":"g2","prompt":"y","worker":"demo"}'].join('\n') + '\n';
  const r = await runBin('dispatch', ['-'], { cwd: box.repo, env: box.env, input });
  t.equal(r.code, 4, r.stderr);
  t.match(r.records, [
    { type: 'dispatch', slug: 'g1', result: 'started' },
    { type: 'error', source: 'stdin:2', code: 'no_prompt', slug: 'b' },
    { type: 'error', source: 'stdin:3', code: 'invalid_worker', slug: 'c' },
    { type: 'dispatch', slug: 'g2', result: 'started' },
  ]);
  t.match(r.stderr, /stdin:3: stdin:3: unknown worker "bogus"|stdin:3: .*unknown worker "bogus"/);
});

t.test('a state directory that cannot be written fails at once with one clear line', async (t) => {
  const box = sandbox(t);
  const ro = path.join(path.dirname(box.repo), 'ro-state');
  fs.mkdirSync(ro);
  execFileSync('chattr', ['+i', ro]);
  t.teardown(() => execFileSync('chattr', ['-i', ro]));
  const started = Date.now();
  const r = await runBin('dispatch', ['w', '--prompt', 'x', '--worker', 'demo', '--state-dir', ro], { cwd: box.repo, env: box.env });
  t.equal(r.code, 1);
  t.match(r.records[0], { type: 'error', code: 'state_dir_unwritable', errno: 'EPERM' });
  t.match(r.stderr, new RegExp(`^dispatch: cannot write in ${ro} \\(EPERM\\)`, 'm'));
  t.ok(Date.now() - started < 10_000, 'not retried as if the lock were busy (that takes ~24 s)');
  // A state directory that cannot be created is named as such, not as an internal error.
  const file = path.join(path.dirname(box.repo), 'a-file');
  fs.writeFileSync(file, '');
  const c = await runBin('dispatch', ['w', '--prompt', 'x', '--worker', 'demo', '--state-dir', path.join(file, 'state')], { cwd: box.repo, env: box.env });
  t.equal(c.code, 1);
  t.match(c.records[0], { code: 'state_dir_unwritable', errno: 'ENOTDIR' });
});

t.test('options that conflict or would be ignored are usage errors', async (t) => {
  const box = sandbox(t);
  const cases: [ToolName, string[], RegExp][] = [
    ['hb-tick', ['--clear', 'a', 'extra'], /--clear takes one task and no other work; remove "extra"/],
    ['hb-tick', ['--clear', 'a', '--dry-run'], /remove --dry-run/],
    ['dispatch-watch', ['--follow', '--until-done'], /give it or --follow, not both/],
    ['dispatch-watch', ['--log', 'a', '--state', 'running'], /--state would be ignored/],
  ];
  for (const [bin, args, message] of cases) {
    const r = await runTool(bin, args, { cwd: box.repo, env: box.env });
    t.equal(r.code, 2, `${bin} ${args.join(' ')}`);
    t.match(r.stderr, message);
  }
});

t.test('{prompt} is replaced inside a word', async (t) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'args.log');
  const cmd = `${process.execPath} -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))" ${log} -- --task={prompt} plain`;
  const r = await runBin('dispatch', ['sub', '--prompt', 'fix it', '--worker-cmd', cmd], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  // The worker writes its log as it starts: read it once it is whole.
  const argv = await waitFor(() => {
    try {
      return JSON.parse(fs.readFileSync(log, 'utf8'));
    } catch {
      return undefined;
    }
  }, 'the worker ran');
  t.same(argv, ['--', '--task=fix it', 'plain']);
});

t.test('a state directory that does not exist is an error for the readers, not "no dispatches"', async (t) => {
  const box = sandbox(t);
  const missing = path.join(box.repo, 'tasks', 'lgos');
  for (const bin of ['dispatch-watch', 'worker-reap'] as const) {
    const r = await runTool(bin, ['--state-dir', missing], { cwd: box.repo, env: box.env });
    t.equal(r.code, 1, bin);
    t.match(r.records[0], { type: 'error', code: 'state_dir_missing' });
    t.match(r.stderr, /state directory .*lgos does not exist/);
  }
  const fresh = await runTool('dispatch-watch', [], { cwd: box.repo, env: box.env });
  t.equal(fresh.code, 0, 'the default directory may be missing: nothing was dispatched');
});

t.test('a tasks/README.md is not a task: no error on every tick, one note when planning', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'real', 'status: blocked');
  fs.writeFileSync(path.join(box.repo, 'tasks', 'README.md'), '# Our tasks\n\nOne file per task.\n');
  const tick = await runBin('hb-tick', [], { cwd: box.repo, env: box.env });
  t.equal(tick.code, 0, tick.stderr);
  t.notMatch(tick.stderr, /README/);
  const plan = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env: box.env });
  t.equal(plan.code, 0);
  t.match(plan.records.filter((r) => r.type === 'note'), [{ code: 'not_a_task', source: /tasks\/README\.md$/ }]);
});

t.test('a failed run says why: the last line the worker printed', async (t) => {
  const box = sandbox(t);
  const r = await runBin('dispatch', ['why', '--prompt', 'x', '--worker-cmd', `sh -c 'echo working; echo "fatal: no such branch" >&2; exit 3' --`], { cwd: box.repo, env: box.env });
  t.equal(r.code, 0, r.stderr);
  const end = await waitFor(() => chainOver(box, 'why'), 'the run ended');
  t.match(end, { state: 'failed', reason: 'exit code 3: fatal: no such branch' });
  const log = fs.readFileSync(path.join(box.stateDir, 'dispatch-why.log'), 'utf8');
  t.notOk(log.startsWith('\n'), 'the log does not start with a blank line');
  t.match(log, /^=== task-manager: run /m, 'the run header is there');
  const json = await runBin('dispatch-watch', ['--log', 'why', '--json'], { cwd: box.repo, env: box.env });
  t.not(json.records[0].text, '', 'the first log record is not an empty line');
});

t.test('a cooldown reason never goes stale: until, and the time left as of now on a terminal', async (t) => {
  const box = sandbox(t);
  writeTask(box, 'flaky', 'status: ready');
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: 'false', TASK_MANAGER_DISPATCH_RETRY_COOLDOWN_SECONDS: '600' };
  const first = await runBin('hb-tick', [], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  await waitFor(() => chainOver(box, 'flaky'), 'the run failed');
  const plan = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  const task = plan.records.find((r) => r.type === 'task' && r.slug === 'flaky');
  t.match(task, { class: 'cooldown', reason: 'last run error; retry 2 when the cooldown ends' });
  t.ok(Date.parse(task.until) > Date.now(), 'until is in the future');
  t.notMatch(task.reason, /after \d+ s/, 'no frozen duration in the reason');
  t.equal(statusOf(box, 'flaky').failures, 1);
});

t.test('a bad value of a setting a tool never reads does not stop that tool', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, TASK_MANAGER_MAX_ATTEMPTS: 'many' };
  t.equal((await runTool('worker-reap', [], { cwd: box.repo, env })).code, 0, 'worker-reap never reads it');
  const tick = await runTool('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  t.equal(tick.code, 2, 'hb-tick does');
  t.match(tick.stderr, /TASK_MANAGER_MAX_ATTEMPTS must be a whole number/);
});
