// The promise itself: one live worker per worktree whatever the state directory, the
// worker the task file names, and a worker spec refused before anything is claimed.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, nodeWorker, pidAlive, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

t.test('a second dispatch of a task from another state directory is refused while the first worker lives', async (t) => {
  const box = sandbox(t);
  const other = path.join(path.dirname(box.repo), 'other-state');
  t.teardown(() => {
    const s = JSON.parse(fs.readFileSync(path.join(other, 'dispatch-twin.status.json'), 'utf8'));
    for (const pid of [s.worker?.pid, s.owner?.pid]) if (pidAlive(pid)) process.kill(-pid, 'SIGKILL');
  });
  const log = path.join(path.dirname(box.repo), 'sleeper.log');
  const env = { ...box.env, SLEEPER_LOG: log };
  const first = await runBin('dispatch', ['twin', '--state-dir', other, '--prompt', 'a', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  const second = await runBin('dispatch', ['twin', '--prompt', 'b', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env });
  t.equal(second.code, 3, 'conflict');
  t.match(second.records[0], { type: 'error', code: 'conflict', slug: 'twin', holder: { state_dir: other } });
  t.match(second.stderr, new RegExp(`state directory ${other}.*supervisor pid \\d+, worker pid \\d+`), 'names the holder and its state directory');
  t.notOk(fs.existsSync(path.join(box.stateDir, 'dispatch-twin.status.json')) && statusOf(box, 'twin').state === 'running', 'nothing runs under the default state dir');
  // The first worker notes itself as it starts, maybe after dispatch returned: wait for it.
  await waitFor(() => fs.existsSync(log), 'the first worker up');
  t.equal(fs.readFileSync(log, 'utf8').trim().split('\n').length, 1, 'one worker ever started');
  // The same from the environment, as a heartbeat without the variable would do it.
  const viaEnv = await runBin('dispatch', ['twin', '--prompt', 'c', '--worker-cmd', nodeWorker('sleeper.mjs', '30')], { cwd: box.repo, env: { ...env, TASK_MANAGER_STATE_DIR: path.join(box.repo, 'elsewhere') } });
  t.equal(viaEnv.code, 3, 'a third state directory is refused too');
});

t.test('once the first chain is over, the worktree can be claimed from another state directory', async (t) => {
  const box = sandbox(t);
  const other = path.join(path.dirname(box.repo), 'other-state');
  const first = await runBin('dispatch', ['twin', '--state-dir', other, '--prompt', 'a', '--worker', 'demo', '--wait'], { cwd: box.repo, env: box.env });
  t.equal(first.code, 0, first.stderr);
  const second = await runBin('dispatch', ['twin', '--prompt', 'b', '--worker', 'demo', '--wait'], { cwd: box.repo, env: box.env });
  t.equal(second.code, 0, second.stderr);
});

t.test('dispatch SLUG runs the worker its task file names', async (t) => {
  const box = sandbox(t);
  const log = path.join(path.dirname(box.repo), 'sleeper.log');
  const env = { ...box.env, SLEEPER_LOG: log };
  writeTask(box, 'tf', `status: ready\nworker: command\nworker_cmd: "${nodeWorker('sleeper.mjs', '1').replaceAll('"', '\\"')}"`);
  const refused = await runBin('dispatch', ['tf'], { cwd: box.repo, env });
  t.equal(refused.code, 4, 'a task-file command is not run unless allowed');
  t.match(refused.records[0], { type: 'error', code: 'task_command_not_allowed', slug: 'tf' });
  t.match(refused.stderr, /--allow-task-commands/);
  t.notOk(fs.existsSync(path.join(box.stateDir, 'dispatch-tf.status.json')), 'nothing was claimed');
  const allowed = await runBin('dispatch', ['tf', '--allow-task-commands'], { cwd: box.repo, env });
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(allowed.records[0], { type: 'dispatch', worker: 'command', worker_from: path.join(box.repo, 'tasks', 'tf.md') });
  await waitFor(() => fs.existsSync(log), 'the task file command ran');
  await waitFor(() => chainOver(box, 'tf'), 'its run over (tf is dispatched again below)');
  // A flag beats the task file; the task file beats the environment.
  writeTask(box, 'named', 'status: ready\nworker: demo');
  const fromTask = await runBin('dispatch', ['named', '--wait'], { cwd: box.repo, env: { ...env, TASK_MANAGER_WORKER: 'codex' } });
  t.equal(fromTask.code, 0, fromTask.stderr);
  t.match(fromTask.records[0], { worker: 'demo', worker_from: /tasks\/named\.md$/ });
  const fromFlag = await runBin('dispatch', ['tf', '--worker', 'demo', '--prompt', 'x', '--wait'], { cwd: box.repo, env });
  t.equal(fromFlag.code, 0, fromFlag.stderr);
  t.match(fromFlag.records[0], { worker: 'demo', worker_from: '--worker' });
});

t.test('a worker command with shell operators is refused before anything is claimed, from every source', async (t) => {
  const box = sandbox(t);
  const flag = await runBin('dispatch', ['sh1', '--prompt', 'x', '--worker-cmd', 'echo hi | cat'], { cwd: box.repo, env: box.env });
  t.equal(flag.code, 2, 'a flag: usage');
  t.match(flag.stderr, /uses the shell operator "\|".*sh -c/);
  const env = await runBin('dispatch', ['sh2', '--prompt', 'x'], { cwd: box.repo, env: { ...box.env, TASK_MANAGER_WORKER_CMD: 'make && make test' } });
  t.equal(env.code, 2, 'the environment: usage');
  t.match(env.stderr, /TASK_MANAGER_WORKER_CMD/);
  writeTask(box, 'sh3', 'status: ready\nworker_cmd: "ls > out.txt"');
  const task = await runBin('dispatch', ['sh3', '--allow-task-commands'], { cwd: box.repo, env: box.env });
  t.equal(task.code, 4, 'a task file: bad input');
  t.match(task.records[0], { code: 'invalid_worker_cmd' });
  const input = `{"slug":"sh4","prompt":"x","worker_cmd":"a; b"}\n{"slug":"ok1","prompt":"x","worker":"demo"}\n`;
  const records = await runBin('dispatch', ['-'], { cwd: box.repo, env: box.env, input });
  t.equal(records.code, 4, 'a record: bad input');
  t.match(records.records, [{ type: 'error', source: 'stdin:1', code: 'invalid_worker_cmd' }, { type: 'dispatch', slug: 'ok1', result: 'started' }]);
  for (const slug of ['sh1', 'sh2', 'sh3', 'sh4']) t.notOk(fs.existsSync(path.join(box.stateDir, `dispatch-${slug}.status.json`)), `${slug}: nothing claimed`);
  const quote = await runBin('dispatch', ['q', '--prompt', 'x', '--worker-cmd', "agent 'unclosed"], { cwd: box.repo, env: box.env });
  t.equal(quote.code, 2);
  t.match(quote.stderr, /unbalanced '/);
});

t.test('a supervisor that fails at start reaches the waiting dispatch at once as start_failed', async (t) => {
  const box = sandbox(t);
  // Thrown: the supervisor records why before it exits.
  const thrown = await runBin('dispatch', ['boom', '--prompt', 'x', '--worker', 'demo', '--timeout', '120'], { cwd: box.repo, env: { ...box.env, TASK_MANAGER_FAULT: 'throw:supervisor-owned' } });
  t.equal(thrown.code, 1);
  t.match(thrown.records[0], { type: 'error', code: 'start_failed', message: /the supervisor failed: fault injected at supervisor-owned/ });
  t.match(statusOf(box, 'boom'), { state: 'failed', outcome: 'start_failed' });
  // Killed outright: it records nothing, and dispatch sees its exit.
  const killed = await runBin('dispatch', ['gone', '--prompt', 'x', '--worker', 'demo', '--timeout', '120'], { cwd: box.repo, env: { ...box.env, TASK_MANAGER_FAULT: 'kill:supervisor-owned' } });
  t.equal(killed.code, 1);
  t.match(killed.records[0], { type: 'error', code: 'start_failed', message: /its supervisor exited before the worker ran/ });
});
