// The bins end to end over each store: the same steps with TASK_MANAGER_STORE unset (the
// state directory) and set to a postgres:// URL give the same records and exit codes.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { openStore } from '@task-manager/core/store/open-store';
import { nodeWorker, pidAlive, runBin, sandbox, startBin, waitFor, writeTask } from '../fixtures/e2e.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';

const pg = await pgServer(t);

// What must be the same whichever the store: ids, times and pids differ run to run.
const KEEP = ['type', 'slug', 'result', 'state', 'dispatch_state', 'position', 'followups_pending', 'code', 'mode', 'done', 'outcome', 'class'];
const shape = (r: Record<string, any>) => Object.fromEntries(KEEP.filter((k) => k in r).map((k) => [k, r[k]]));

const scenario = async (t: typeof import('tap').default, storeEnv: Record<string, string>) => {
  const box = sandbox(t, storeEnv);
  const log = path.join(path.dirname(box.repo), 'sleeper.log');
  const env = { ...box.env, SLEEPER_LOG: log, TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '60') };
  const store = await openStore(storeEnv.TASK_MANAGER_STORE ?? 'file', box.stateDir);
  t.teardown(() => store.close());
  const seen: { step: string; code: number | null; records: Record<string, any>[] }[] = [];
  const run = async (step: string, bin: string, args: string[], extra: Record<string, string> = {}) => {
    const r = await runBin(bin, args, { cwd: box.repo, env: { ...env, ...extra } });
    seen.push({ step, code: r.code, records: r.records.map(shape) });
    return r;
  };
  writeTask(box, 'job', 'status: ready');
  const started = await run('dispatch', 'dispatch', ['job', '--prompt', 'first']);
  t.equal(started.code, 0, started.stderr);
  await run('continue queues', 'dispatch-continue', ['job', '--prompt', 'second']);
  await run('continue --list', 'dispatch-continue', ['job', '--list', '--json']);
  await run('watch snapshot', 'dispatch-watch', ['job', '--json']);
  const worker = (await store.readStatus('job'))?.worker?.pid as number;
  t.ok(pidAlive(worker), 'the worker runs');
  await run('stop', 'dispatch-stop', ['job', '--grace', '2']);
  t.notOk(pidAlive(worker), 'dispatch-stop stopped the worker');
  const over = await waitFor(async () => {
    const s = await store.readStatus('job');
    return s && s.state === 'stopped' && !pidAlive(s.owner?.pid as number) ? s : undefined;
  }, 'the supervisor released the task');
  t.equal(over.followups.length, 1, 'the queued follow-up is kept');
  await run('tick leaves a held task', 'hb-tick', []);
  await run('release', 'dispatch-stop', ['--release', 'job']);
  await run('reap', 'worker-reap', []);
  // A short run followed to its end.
  await run('dispatch quick', 'dispatch', ['quick', '--prompt', 'x', '--worker-cmd', nodeWorker('sleeper.mjs', '1')]);
  const until = startBin('dispatch-watch', ['quick', '--until-done', '--interval', '0.2'], { cwd: box.repo, env });
  t.teardown(() => until.child.kill('SIGKILL'));
  const code = await until.exited;
  seen.push({ step: 'watch --until-done', code, records: until.lines.slice(-1).map(shape) });
  await run('watch all', 'dispatch-watch', ['--json']);
  const history = await store.readHistory('job');
  seen.push({ step: 'history of job', code: null, records: history.records.map((r) => ({ event: r.event })) });
  return { box, seen };
};

t.test('the same steps over the file store and over PostgreSQL give the same records and exit codes', async (t) => {
  const file = await scenario(t, {});
  const url = withSchema(pg.url, freshSchema('bins'));
  const postgres = await scenario(t, { TASK_MANAGER_STORE: url });
  t.same(postgres.seen, file.seen, 'record for record');
  const steps = Object.fromEntries(file.seen.map((s) => [s.step, s]));
  t.match(steps.dispatch, { code: 0, records: [{ type: 'dispatch', result: 'started', state: 'running' }] });
  t.match(steps['continue queues'], { code: 0, records: [{ type: 'followup', result: 'queued', position: 1 }] });
  t.match(steps.stop, { code: 0, records: [{ type: 'stop', result: 'stopped', state: 'stopped', followups_pending: 1 }] });
  t.match(steps['watch --until-done'], { code: 0, records: [{ slug: 'quick', done: true }] });
  t.equal(steps['tick leaves a held task']?.records.filter((r) => r.type === 'action').length, 0);
  // Over PostgreSQL the state directory holds only what stays local: the runs' logs.
  const names = fs.readdirSync(postgres.box.stateDir);
  t.same(names.filter((n) => /status\.json|history\.jsonl|heartbeat\.json|limits\.json/.test(n)), [], `no shared state in files (${names.join(' ')})`);
  t.ok(names.includes('dispatch-job.log'), 'the run log is local');
  // The password never reaches a record, a log or the history.
  const everything = [...names.map((n) => fs.readFileSync(path.join(postgres.box.stateDir, n), 'utf8')), JSON.stringify(postgres.seen)].join('\n');
  t.notOk(everything.includes(pg.password), 'no password in logs or records');
  t.notOk(pg.psql(`SELECT string_agg(record::text, '') FROM ${new URL(url).searchParams.get('schema')}.history`).includes(pg.password), 'nor in the history table');
});
