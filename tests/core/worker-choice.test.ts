import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { chooseWorker, type WorkerLayer } from '@task-manager/core/workers/choose-worker';
import { commandArgv } from '@task-manager/core/workers/command';
import { splitArgv } from '@task-manager/core/workers/split-argv';
import { startRunLimits } from '@task-manager/core/supervisor/run-limits';

const flag = (worker?: string, workerCmd?: string): WorkerLayer => ({ from: '--worker', kind: 'flag', worker, workerCmd });
const task = (worker?: string, workerCmd?: string): WorkerLayer => ({ from: 'tasks/a.md', kind: 'task', worker, workerCmd });
const env = (worker?: string, workerCmd?: string): WorkerLayer => ({ from: 'TASK_MANAGER_WORKER', kind: 'env', worker, workerCmd });
const allow = { allowTaskCommands: true };

t.test('the first layer that names a worker decides; flag > task file > environment > default', async (t) => {
  t.match(chooseWorker([flag(), task(), env()], allow), { worker: 'claude', from: 'default' });
  t.match(chooseWorker([flag(), task('demo'), env('codex')], allow), { worker: 'demo', from: 'tasks/a.md' });
  t.match(chooseWorker([flag('gemini'), task('demo'), env('codex')], allow), { worker: 'gemini', from: '--worker' });
  t.match(chooseWorker([flag(), task(), env('codex')], allow), { worker: 'codex' });
  t.match(chooseWorker([flag(), task(undefined, 'agent go'), env('codex')], allow), { worker: 'command', workerCmd: 'agent go' }, 'a command alone means the command worker');
  t.match(chooseWorker([flag('command'), task(), env(undefined, 'from env')], allow), { worker: 'command', workerCmd: 'from env' }, 'the command is found below the layer that chose the worker');
  t.match(chooseWorker([flag('demo'), task(undefined, 'agent go')], allow), { worker: 'demo', workerCmd: null });
});

t.test('a task file command runs only when the operator allows it', async (t) => {
  t.throws(() => chooseWorker([flag(), task('command', 'agent go'), env()], { allowTaskCommands: false }), { code: 'task_command_not_allowed', message: /--allow-task-commands/ });
  t.match(chooseWorker([flag(), task('command'), env(undefined, 'operator cmd')], { allowTaskCommands: false }), { workerCmd: 'operator cmd' }, "the operator's command for a task that asks for the command worker");
  t.throws(() => chooseWorker([{ from: 'the previous run', kind: 'previous', worker: 'command', workerCmd: 'from state' }], allow), { message: /needs a program/ }, 'never a command from the state file');
});

t.test('bad values: usage for the command line, bad input for records and task files', async (t) => {
  t.throws(() => chooseWorker([flag('bogus')], allow), { code: 'usage', message: /unknown worker "bogus"/ });
  t.throws(() => chooseWorker([task('bogus')], allow), { code: 'invalid_worker' });
  t.throws(() => chooseWorker([env(undefined, 'a | b')], allow), { code: 'usage', message: /shell operator "\|"/ });
  t.throws(() => chooseWorker([task(undefined, 'a > b')], allow), { code: 'invalid_worker_cmd' });
  t.throws(() => chooseWorker([flag('command')], allow), { code: 'usage', message: /needs a program/ });
});

t.test('commandArgv: {prompt} anywhere in a word, else last; quotes must balance', async (t) => {
  t.same(commandArgv('agent --task={prompt} -- {prompt}', 'fix it'), { file: 'agent', args: ['--task=fix it', '--', 'fix it'] });
  t.same(commandArgv('agent --go', 'fix it'), { file: 'agent', args: ['--go', 'fix it'] });
  t.same(commandArgv(`agent "a {prompt}"`, '$(rm -rf /)'), { file: 'agent', args: ['a $(rm -rf /)'] }, 'the prompt is data, never expanded');
  t.throws(() => splitArgv(`agent 'open`, 'cmd'), { message: /unbalanced '/ });
  t.throws(() => splitArgv(`agent "open`, 'cmd'), { message: /unbalanced "/ });
  t.same(splitArgv(`agent "it's" 'say "hi"' \\'`, 'cmd'), ['agent', "it's", 'say "hi"', "'"], 'quotes inside the other kind, and escaped ones, balance');
});

t.test('run limits: stop() ends the poll and the log watcher, so nothing polls a closed follower', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-limits-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'x.log');
  fs.writeFileSync(log, '');
  const before = process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
  let polls = 0;
  const limits = startRunLimits({ log, poll: () => (polls += 1), lastOutput: () => performance.now(), startedMono: performance.now(), stallMs: 0, maxRunMs: 0, onStall: () => undefined, onTimeout: () => undefined });
  t.equal(process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length, before + 1, 'the log is watched while the run lives');
  fs.appendFileSync(log, 'output\n');
  await new Promise<void>((resolve) => {
    const check = () => (polls > 0 ? resolve() : setTimeout(check, 10));
    check();
  });
  limits.stop();
  // A closed handle leaves the list once libuv has closed it: wait for that, with a deadline.
  const watchers = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
  const deadline = Date.now() + 5000;
  while (watchers() > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(watchers(), before, 'no watcher left after stop()');
});
