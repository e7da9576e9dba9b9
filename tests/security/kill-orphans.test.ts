// worker-reap --kill-orphans signals only processes that carry the run's token. A pid,
// a group id, a start time and a boot id can be read by anyone in /proc and written
// into a status file; a token in a process's environment cannot be planted. Every
// "unrelated" victim here is a process this test started, in a state directory the
// sandbox's cleanup does not read (it signals the pids a status names).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, waitFor } from '../fixtures/e2e.js';
import { alive, identityOf, putStatus, readStatusFile, runStatus, standIns, type Identity } from '../fixtures/watch-reap-util.js';

const FOREIGN_BOOT = '00000000-0000-4000-8000-000000000000';

/** A process group whose leader (a shell) has exited; its member, a sleep, lives on. */
const leaderlessGroup = async (t: { teardown: (f: () => void) => void }) => {
  const sh = spawn('sh', ['-c', 'sleep 60 </dev/null >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  sh.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => sh.on('close', resolve));
  const member = Number(out.trim());
  t.teardown(() => {
    try {
      process.kill(member, 'SIGKILL');
    } catch {}
  });
  const stat = fs.readFileSync(`/proc/${member}/stat`, 'utf8');
  const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  return { leader: sh.pid as number, member, pgid };
};

t.test('a status naming processes it does not own: nothing is signalled, the run is marked worker_gone', async (t) => {
  const box = sandbox(t);
  const state = path.join(path.dirname(box.repo), 'state');
  fs.mkdirSync(state, { mode: 0o700 });
  const procs = standIns(t);
  // 1. A group whose leader exited, recorded under another boot with start time "1".
  const g1 = await leaderlessGroup(t);
  t.equal(g1.pgid, g1.leader, 'the sleep is in the exited shell’s group');
  putStatus(state, runStatus('foreign-boot', { worker: { boot_id: FOREIGN_BOOT, pid: g1.leader, start_time: '1' }, token: 'token-foreign-boot' }));
  // 2. The same, with this boot's id.
  const g2 = await leaderlessGroup(t);
  const boot = (identityOf(process.pid) as Identity).boot_id;
  putStatus(state, runStatus('leaderless', { worker: { boot_id: boot, pid: g2.leader, start_time: '1' }, token: 'token-leaderless' }));
  // 3. A live group leader's exact identity, copied from /proc, with a token it does not carry.
  const victim = procs.sleeper();
  putStatus(state, runStatus('copied', { worker: victim, token: 'token-copied' }));
  // 4. No token at all.
  const untokened = procs.sleeper();
  putStatus(state, runStatus('no-token', { worker: untokened, token: null }));

  const watch = await runBin('dispatch-watch', ['--state-dir', state], { cwd: box.repo, env: box.env });
  t.same(watch.records.map((r) => [r.slug, r.dispatch_state]), [['copied', 'worker_gone'], ['foreign-boot', 'worker_gone'], ['leaderless', 'worker_gone'], ['no-token', 'worker_gone']], 'none of them counts as the run alive');
  const reap = await runBin('worker-reap', ['--kill-orphans', '--grace', '0.2', '--state-dir', state], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  t.same(reap.records.map((r) => [r.slug, r.action]), [['copied', 'marked_worker_gone'], ['foreign-boot', 'marked_worker_gone'], ['leaderless', 'marked_worker_gone'], ['no-token', 'marked_worker_gone']]);
  t.ok(alive(g1.member), 'the member of a group whose leader exited (foreign boot, start time 1) was not killed');
  t.ok(alive(g2.member), 'nor with this boot id');
  t.ok(alive(victim.pid), 'a live leader whose identity was copied was not signalled');
  t.ok(alive(untokened.pid), 'a run without a token has no processes');
  for (const slug of ['copied', 'foreign-boot', 'leaderless', 'no-token']) t.equal(readStatusFile(state, slug).state, 'worker_gone');
});

t.test('the token is what counts: a real orphan carrying it is stopped, a stranger in its group is not', async (t) => {
  const box = sandbox(t);
  const state = path.join(path.dirname(box.repo), 'state');
  fs.mkdirSync(state, { mode: 0o700 });
  const token = 'token-real-orphan';
  // A worker carrying the token, and a process in the same group without it (exec'd with a clean environment).
  const worker = spawn('sh', ['-c', 'env -i sleep 60 & sleep 60; true'], { detached: true, stdio: 'ignore', env: { ...process.env, TASK_MANAGER_RUN_TOKEN: token } });
  t.teardown(() => {
    try {
      process.kill(-(worker.pid as number), 'SIGKILL');
    } catch {}
  });
  const carries = (pid: number) => fs.readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`TASK_MANAGER_RUN_TOKEN=${token}`);
  // Both sleeps exec'd (until then the forked shell still carries the token).
  const members = await waitFor(() => {
    const found = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return pid !== worker.pid && stat.includes(' (sleep) ') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === worker.pid;
      } catch {
        return false;
      }
    });
    return found.length === 2 && found.filter((pid) => !carries(pid)).length === 1 && found;
  }, 'both sleeps in the group, one without the token');
  const stranger = members.find((pid) => !carries(pid)) as number;
  const child = members.find((pid) => carries(pid)) as number;
  t.ok(stranger && child, 'one sleep carries the token, one does not');
  putStatus(state, runStatus('orphan', { worker: identityOf(worker.pid as number) as Identity, token }));
  const reap = await runBin('worker-reap', ['--kill-orphans', '--grace', '0.3', '--state-dir', state], { cwd: box.repo, env: box.env });
  t.equal(reap.code, 0, reap.stderr);
  t.match(reap.records, [{ slug: 'orphan', action: 'orphan_killed', to: 'worker_gone' }]);
  t.notOk(alive(worker.pid as number), 'the worker carrying the token is gone');
  t.notOk(alive(child), 'its child carrying the token is gone');
  t.ok(alive(stranger), 'a process of the group without the token is not signalled');
  try {
    process.kill(stranger, 'SIGKILL');
  } catch {}
});
