// The PostgreSQL store under faults: a COMMIT whose reply is lost, a server restarted
// (-m immediate) in the middle of claims and of hand-offs, an unreachable server, a
// refused login and a schema newer than the code. Real server, real processes.
import net from 'node:net';
import t from 'tap';
import { openStore } from '@task-manager/core/store/open-store';
import type { StatusRecord } from '@task-manager/core/status/schema';
import { runBin, sandbox, waitFor } from '../fixtures/e2e.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';
import { cutProxy } from '../fixtures/store/cut-proxy.js';
import { finish, race, startActor } from '../fixtures/store/actors.js';
import { statusFor } from '../fixtures/store/status.js';

const pg = await pgServer(t);

const viaPort = (url: string, port: number) => {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
};

for (const mode of ['after', 'before'] as const) {
  t.test(`a COMMIT whose reply is lost ${mode} the server got it is resolved by asking the server, never guessed`, async (t) => {
    const proxy = await cutProxy(pg.port);
    t.teardown(() => proxy.close());
    const schema = freshSchema('cut');
    const store = await openStore(withSchema(viaPort(pg.url, proxy.port), schema), '/nonexistent');
    const direct = await openStore(withSchema(pg.url, schema), '/nonexistent');
    t.teardown(async () => {
      await store.close();
      await direct.close();
    });
    await store.withTask('task', async (s) => s.write(statusFor('task', (await s.takeFence()) as number, { state: 'exited' })));
    proxy.arm(mode);
    let runs = 0;
    const fence = await store.withTask('task', async (s) => {
      runs++;
      const f = (await s.takeFence()) as number;
      await s.write(statusFor('task', f));
      s.history({ event: 'claimed', fence: f });
      return f;
    });
    t.equal(proxy.cuts, 1, 'the COMMIT was cut');
    t.equal(runs, mode === 'after' ? 1 : 2, mode === 'after' ? 'committed: the result stands, nothing runs twice' : 'not committed: the section ran again');
    t.equal(fence, 2, 'one claim, fence 2');
    t.equal(((await direct.readStatus('task')) as StatusRecord).fence, 2, 'the server has exactly that claim');
    const claimed = (await direct.readHistory('task')).records.filter((r) => r.event === 'claimed');
    t.same(claimed.map((r) => r.fence), [2], 'told once in history');
  });
}

t.test('server restarts (-m immediate) in the middle of claim/release cycles: no double claim, no claim unknown to its client', async (t) => {
  const spec = withSchema(pg.url, freshSchema('restart'));
  const actors = Array.from({ length: 4 }, () => startActor(spec, ['cycle', 'busy', '150']));
  await race(actors);
  const progress = () => actors.reduce((n, a) => n + a.lines.filter((l) => l.released).length, 0);
  let restartsMidway = 0;
  for (let i = 0; i < 3; i++) {
    const before = progress();
    await waitFor(() => progress() >= before + 5 || actors.every((a) => a.child.exitCode !== null), 'claims going on', 60_000);
    if (actors.some((a) => a.child.exitCode === null)) restartsMidway++;
    await pg.restart({ immediate: true });
  }
  t.equal(restartsMidway, 3, 'every restart came while claims were going on');
  await finish(actors);
  const wins = actors.flatMap((a) => a.lines.filter((l) => l.won !== undefined).map((l) => l.won as number));
  const errors = actors.flatMap((a) => a.lines.filter((l) => l.error));
  t.same(errors, [], 'every fault was got past (retried, or resolved by asking the server)');
  t.equal(new Set(wins).size, wins.length, `no fence won twice (${wins.length} claims)`);
  const store = await openStore(spec, '/nonexistent');
  t.teardown(() => store.close());
  const status = (await store.readStatus('busy')) as StatusRecord;
  t.same([...wins].sort((a, b) => a - b), Array.from({ length: status.fence }, (_, i) => i + 1), 'every fence the server gave out is a claim its client knows of');
  const claimed = (await store.readHistory('busy')).records.filter((r) => r.event === 'claimed').map((r) => r.fence);
  t.same(claimed, Array.from({ length: status.fence }, (_, i) => i + 1), 'history tells each claim once, in order');
  t.ok(wins.length >= 15, `claims went on across the restarts (${wins.length})`);
});

t.test('server restarts in the middle of follow-up hand-offs: 0 lost, 0 doubled, FIFO', async (t) => {
  const spec = withSchema(pg.url, freshSchema('handoff'));
  const PER = 40;
  const supervisor = startActor(spec, ['supervise', 'q', String(PER * 2)]);
  const senders = ['a', 'b'].map((name) => startActor(spec, ['send', 'q', name, String(PER)]));
  await race([supervisor, ...senders]);
  for (const after of [10, 40]) {
    await waitFor(() => supervisor.lines.filter((l) => l.took).length >= after || supervisor.child.exitCode !== null, `${after} follow-ups taken`, 60_000);
    await pg.restart({ immediate: true });
  }
  await finish([supervisor, ...senders]);
  const taken = supervisor.lines.filter((l) => l.took).map((l) => l.took as string);
  t.equal(new Set(taken).size, taken.length, '0 doubled');
  t.equal(taken.length, PER * 2, '0 lost');
  for (const name of ['a', 'b']) {
    t.same(taken.filter((id) => id.startsWith(`${name}-`)), Array.from({ length: PER }, (_, i) => `${name}-${i + 1}`), `${name}: FIFO`);
  }
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

t.test('an unreachable server, a refused login, a newer schema: one clear typed line naming the server, no password anywhere', async (t) => {
  const box = sandbox(t);
  const newer = freshSchema('newer');
  const prep = await openStore(withSchema(pg.url, newer), '/nonexistent');
  await prep.prepare({ write: true });
  await prep.close();
  pg.psql(`INSERT INTO ${newer}.schema_version (version) VALUES (99)`);
  const nobody = `postgres://tm:${pg.password}@127.0.0.1:${await freePort()}/postgres`;
  const cases = [
    { name: 'unreachable', url: nobody, code: 'store_unreachable', says: /cannot reach the PostgreSQL store postgres:\/\/tm@127\.0\.0\.1:\d+\/postgres .*connection refused/ },
    { name: 'bad password', url: pg.url.replace(pg.password, 'not-the-password'), code: 'store_login_refused', says: /refused the login .*password authentication failed/ },
    { name: 'newer schema', url: withSchema(pg.url, newer), code: 'store_schema_newer', says: /schema "[a-z0-9_]+" at version 99, newer than this task-manager understands \(\d+\)/ },
  ];
  for (const c of cases) {
    for (const [bin, args] of [['dispatch-watch', []], ['dispatch', ['x', '--prompt', 'p', '--worker-cmd', 'true']], ['hb-tick', []], ['worker-reap', []]] as const) {
      const r = await runBin(bin, [...args], { cwd: box.repo, env: { ...box.env, TASK_MANAGER_STORE: c.url } });
      t.equal(r.code, 1, `${c.name}, ${bin}: exit 1 (failure)`);
      t.equal(r.stderr.trim().split('\n').length, 1, `${c.name}, ${bin}: one line: ${r.stderr.trim()}`);
      t.match(r.stderr, c.says, `${c.name}, ${bin}: says what and where`);
      t.match(r.records.at(-1), { type: 'error', code: c.code }, `${c.name}, ${bin}: the error record's code`);
      for (const secret of [pg.password, 'not-the-password']) {
        t.notOk(r.stdout.includes(secret) || r.stderr.includes(secret), `${c.name}, ${bin}: no password in the output`);
      }
      t.notMatch(r.stdout, /no dispatches/, `${c.name}, ${bin}: never "no dispatches"`);
    }
  }
});
