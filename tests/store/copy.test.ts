// A team that started on files moves to PostgreSQL: every task's status (with its queue)
// and history arrive unchanged; live tasks and tasks the target has are skipped; the
// tools then work on the copy as they did on the files.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { openStore } from '@task-manager/core/store/open-store';
import { ROOT, historyOf, nodeWorker, parseRecords, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';

const pg = await pgServer(t);
const copy = (cwd: string, env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'store-copy.mjs'), ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, records: parseRecords(r.stdout) };
};

t.test('a state directory moves into PostgreSQL: statuses, queues and history unchanged; live and present tasks skipped', async (t) => {
  const box = sandbox(t);
  const url = withSchema(pg.url, freshSchema('copy'));
  const env = { ...box.env, TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  // done: a finished run. held: a run stopped with a follow-up still queued. live: running now.
  t.equal((await runBin('dispatch', ['done', '--prompt', 'finish', '--worker-cmd', 'true', '--wait'], { cwd: box.repo, env })).code, 0);
  const sleeper = nodeWorker('sleeper.mjs', '600');
  t.equal((await runBin('dispatch', ['held', '--prompt', 'long', '--worker-cmd', sleeper], { cwd: box.repo, env })).code, 0);
  t.equal((await runBin('dispatch-continue', ['held', '--prompt', 'later'], { cwd: box.repo, env })).code, 0);
  t.equal((await runBin('dispatch-stop', ['held'], { cwd: box.repo, env })).code, 0);
  t.equal((await runBin('dispatch', ['live', '--prompt', 'busy', '--worker-cmd', sleeper], { cwd: box.repo, env })).code, 0);
  t.teardown(() => runBin('dispatch-stop', ['live'], { cwd: box.repo, env }));

  const dry = copy(box.repo, env, '--to', url, '--dry-run');
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.records, [{ slug: 'done', result: 'would_copy' }, { slug: 'held', result: 'would_copy', followups_queued: 1 }, { slug: 'live', result: 'skipped', reason: /worker is running/ }]);
  const store = await openStore(url, box.stateDir);
  t.teardown(() => store.close());
  t.same(await store.listSlugs(), [], 'a dry run writes nothing');

  const first = copy(box.repo, env, '--to', url);
  t.equal(first.code, 0, first.stderr);
  t.match(first.records, [{ slug: 'done', result: 'copied' }, { slug: 'held', result: 'copied', followups_queued: 1 }, { slug: 'live', result: 'skipped' }]);
  for (const slug of ['done', 'held']) {
    const { lease: _l, ...copied } = (await store.readStatus(slug)) as Record<string, unknown>;
    t.same(copied, statusOf(box, slug), `${slug}: the same status, field for field`);
    t.same((await store.readHistory(slug)).records, historyOf(box, slug), `${slug}: the same history, record for record`);
  }
  const again = copy(box.repo, env, '--to', url);
  t.match(again.records.filter((r) => r.slug !== 'live'), [{ slug: 'done', result: 'skipped', reason: /already has task done/ }, { slug: 'held', result: 'skipped' }], 'never over what is there');

  // The tools work on the copy: the queued follow-up runs once the hold is lifted.
  const pgEnv = { ...env, TASK_MANAGER_STORE: url };
  const watch = await runBin('dispatch-watch', ['--json'], { cwd: box.repo, env: pgEnv });
  t.match(watch.records, [{ slug: 'done', state: 'exited' }, { slug: 'held', state: 'stopped', followups_pending: 1 }]);
  t.equal((await runBin('dispatch-stop', ['held', '--release'], { cwd: box.repo, env: pgEnv })).code, 0);
  const resumed = await runBin('dispatch-continue', ['held', '--prompt', 'and this', '--worker-cmd', 'true'], { cwd: box.repo, env: pgEnv });
  t.equal(resumed.code, 0, resumed.stderr);
  await waitFor(async () => {
    const s = await store.readStatus('held');
    return s && s.state === 'exited' && s.followups.length === 0 ? s : undefined;
  }, 'the copied queue ran on PostgreSQL');
});

t.test('store-copy without --to, or onto itself: usage', async (t) => {
  const box = sandbox(t);
  t.equal(copy(box.repo, box.env).code, 2);
  t.equal(copy(box.repo, box.env, '--to', 'file').code, 2, 'file to file (the same directory)');
});
