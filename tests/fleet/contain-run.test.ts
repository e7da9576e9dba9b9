// The argv of a contained run (supervisor/contain-run.ts), and the clear errors when it cannot be.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { containArgv, containTools, findProgram } from '@task-manager/core/supervisor/contain-run';
import { spawnWorker } from '@task-manager/core/supervisor/spawn-worker';

const waitFor = async <T>(check: () => T, what: string, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const tools = { setpriv: '/usr/bin/setpriv', unshare: '/usr/bin/unshare' };

const tempDir = (t: { teardown(fn: () => void): void }): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-contain-run-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};

t.test('as root: a parent-death SIGKILL, then a PID namespace whose PID 1 is the program', async (t) => {
  t.same(containArgv('claude', ['-p', '--verbose', '--', '-x'], { root: true, tools }), {
    file: '/usr/bin/setpriv',
    args: ['--pdeathsig', 'KILL', '--', '/usr/bin/unshare', '--pid', '--fork', '--kill-child=KILL', '--', 'claude', '-p', '--verbose', '--', '-x'],
  });
});

t.test('without root: a user namespace too, mapping the user to itself (not to root)', async (t) => {
  t.same(containArgv('codex', ['exec'], { root: false, tools }).args, [
    '--pdeathsig',
    'KILL',
    '--',
    '/usr/bin/unshare',
    '--pid',
    '--fork',
    '--kill-child=KILL',
    '--user',
    '--map-current-user',
    '--',
    'codex',
    'exec',
  ]);
});

t.test('programs are found the way execvp finds them', async (t) => {
  const dir = tempDir(t);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'agent'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'plain'), 'not a program', { mode: 0o644 });
  t.same(findProgram('agent', '/', `/nonexistent:${bin}`), { found: path.join(bin, 'agent') });
  t.same(findProgram('./bin/agent', dir, ''), { found: path.join(bin, 'agent') }, 'a name with a slash is relative to cwd');
  t.same(findProgram('missing', '/', bin), { error: 'ENOENT' });
  if (process.getuid?.() !== 0) t.same(findProgram('plain', '/', bin), { error: 'EACCES' });
  t.same(findProgram(path.join(bin, 'missing'), '/', ''), { error: 'ENOENT' });
});

t.test('missing util-linux tools are named in one clear error', async (t) => {
  const dir = tempDir(t);
  t.match(containTools(dir, true), { error: /cannot contain the run: setpriv and unshare are not on PATH \(install util-linux/ });
  fs.symlinkSync('/usr/bin/setpriv', path.join(dir, 'setpriv'));
  t.match(containTools(dir, true), { error: /cannot contain the run: unshare is not on PATH/ });
  fs.symlinkSync('/usr/bin/unshare', path.join(dir, 'unshare'));
  // Found, and tried once: the PID namespace works here.
  t.same(containTools(`${dir}:/usr/bin:/bin`, process.getuid?.() === 0), { setpriv: path.join(dir, 'setpriv'), unshare: path.join(dir, 'unshare') });
});

t.test('spawnWorker with contain: a missing tool or program is a spawn error, and nothing starts', async (t) => {
  const dir = tempDir(t);
  const log = path.join(dir, 'run.log');
  const context = { cwd: dir, log, slug: 's', runId: 'r', token: 'tok-unit', contain: true };
  const savedPath = process.env.PATH;
  t.teardown(() => {
    process.env.PATH = savedPath;
  });
  const missing = spawnWorker({ file: 'definitely-not-a-program-xyz', args: [] }, context);
  t.equal(missing.identity, undefined);
  t.same(await missing.exited, { exitCode: null, signal: null, spawnError: 'program "definitely-not-a-program-xyz" not found (is it installed and on PATH?)' }, 'the same error as without contain');
  // The program is there, util-linux is not (the worker's PATH is the one searched).
  fs.symlinkSync('/bin/sh', path.join(dir, 'sh'));
  const noTools = spawnWorker({ file: path.join(dir, 'sh'), args: ['-c', 'exit 0'], env: { PATH: path.join(dir, 'empty') } }, context);
  t.equal(noTools.identity, undefined);
  t.match(await noTools.exited, { exitCode: null, signal: null, spawnError: /^cannot contain the run: setpriv and unshare are not on PATH/ });
  t.notOk(fs.existsSync(log), 'not even the log was opened');
  // And with everything there it runs, the exit status is the program's.
  const ok = spawnWorker({ file: 'sh', args: ['-c', 'echo "pid $$"; exit 7'] }, context);
  t.ok(ok.identity);
  t.same(await ok.exited, { exitCode: 7, signal: null });
  t.equal(fs.readFileSync(log, 'utf8'), 'pid 1\n', 'the program is PID 1 of its own namespace, its output in the log');
  const withInput = spawnWorker({ file: 'sh', args: ['-c', 'cat; echo "token $TASK_MANAGER_RUN_TOKEN"'], stdin: 'the prompt\n' }, context);
  t.same(await withInput.exited, { exitCode: 0, signal: null });
  t.equal(fs.readFileSync(log, 'utf8'), 'pid 1\nthe prompt\ntoken tok-unit\n', 'its stdin is the prompt file, its environment carries the token');
  // A program killed by a signal (the OOM killer, say): unshare dies of the same signal.
  const killed = spawnWorker({ file: 'sleep', args: ['600'] }, context);
  const outer = killed.identity?.pid as number;
  const inner = await waitFor(() => fs.readFileSync(`/proc/${outer}/task/${outer}/children`, 'utf8').trim(), 'the program inside');
  process.kill(Number(inner), 'SIGKILL');
  const end = await killed.exited;
  if (end.signal === null && fs.readFileSync(log, 'utf8').includes('unshare: sigprocmask unblock failed')) {
    // util-linux before 2.40 (Debian 12 has 2.38.1) cannot re-raise SIGKILL and exits 1
    // instead (util-linux/util-linux#2614, fixed by #2617).
    t.same(end, { exitCode: 1, signal: null }, 'util-linux < 2.40: a program killed by SIGKILL shows as exit code 1');
  } else {
    t.same(end, { exitCode: null, signal: 'SIGKILL' }, 'a run killed by a signal still reports the signal');
  }
});

t.test('a PID namespace the kernel refuses is one clear error too', { skip: process.getuid?.() === 0 ? false : 'needs root to run a check as nobody' }, async (t) => {
  // As nobody without a user namespace (what containTools would try for root), unshare gets EPERM.
  const module = new URL('../../shared/core/dist/supervisor/contain-run.js', import.meta.url).href;
  const script = `const { containTools } = await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify([containTools('/usr/bin:/bin', true), containTools('/usr/bin:/bin', false)]));`;
  const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: '/' });
  const [refused, allowed] = JSON.parse(out);
  t.match(refused, { error: /^cannot contain the run: `.*setpriv --pdeathsig KILL -- .*unshare --pid --fork --kill-child=KILL -- .*` failed: unshare: unshare failed: Operation not permitted/ });
  t.match(allowed, { setpriv: /setpriv$/, unshare: /unshare$/ }, 'through a user namespace it works');
});
