// The Store contract: the same cases against the file store (a temp state directory)
// and the PostgreSQL store (a throwaway server, a fresh schema per case).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { FenceLostError, StatusFileError } from '@task-manager/core/errors/state-errors';
import { LockBusyError } from '@task-manager/core/errors/errors';
import { FileStore } from '@task-manager/core/store/file-store';
import { openStore } from '@task-manager/core/store/open-store';
import type { Store, StoreChange } from '@task-manager/core/store/store';
import type { StatusRecord } from '@task-manager/core/status/schema';
import type { HeartbeatSnapshot } from '@task-manager/core/heartbeat/snapshot';
import { waitFor } from '../fixtures/bins.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';
import { statusFor } from '../fixtures/store/status.js';

const pg = await pgServer(t);

interface Subject {
  store: Store;
  /** Leaves the task's status damaged (the wrong shape), the way each store can be damaged. */
  damage(slug: string): void;
}

type Tap = typeof t;

const KINDS: Record<string, (t: Tap) => Promise<Subject>> = {
  file: async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-store-'));
    const store = new FileStore(path.join(dir, 'logs'));
    t.teardown(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await store.prepare({ write: true });
    return { store, damage: (slug) => fs.writeFileSync(store.statusName(slug), '{"type":"status","version":1}\n') };
  },
  postgres: async (t) => {
    const schema = freshSchema('contract');
    const store = await openStore(withSchema(pg.url, schema), '/nonexistent-state-dir');
    t.teardown(() => store.close());
    await store.prepare({ write: true });
    return { store, damage: (slug) => pg.psql(`UPDATE ${schema}.task SET status = '{"type":"status","version":1}' WHERE slug = '${slug}'`) };
  },
};

for (const [kind, open] of Object.entries(KINDS)) {
  t.test(`${kind} store`, async (t) => {
    t.test('a section reads, takes a fence, writes and tells its history in order', async (t) => {
      const { store } = await open(t);
      t.equal(await store.readStatus('alpha'), undefined, 'never dispatched');
      const written = await store.withTask('alpha', async (section) => {
        t.equal(section.status, undefined);
        const fence = await section.takeFence();
        t.equal(fence, 1, 'the first claim takes fence 1');
        section.history({ event: 'dispatch_requested', prompt: 'p' });
        section.history({ event: 'claimed', fence });
        return section.write(statusFor('alpha', fence as number));
      });
      t.not(written.updated_at, '2026-11-24T22:00:00.000Z', 'write stamps updated_at');
      // A store with leases tells, on every read, whether a live chain's lease is in force
      // (never stored: docs/fleet.md); the document itself reads back as it was written.
      const { lease, ...readBack } = (await store.readStatus('alpha')) as StatusRecord;
      if (store.lease) t.match(lease, { live: true, expires_at: /^\d{4}-/ }, 'a live chain holds a lease');
      else t.equal(lease, undefined, 'no lease without a leased store');
      t.same(readBack, written, 'what was written is read back, key for key');
      t.equal(JSON.stringify(readBack), JSON.stringify(written), 'in the same key order');
      await store.withTask('alpha', async (section) => {
        const { lease: _seen, ...inSection } = section.status as StatusRecord;
        t.same(inSection, written, 'the next section sees it');
        t.equal(await section.takeFence(), 2, 'the next claim takes fence 2');
        await section.write({ ...(section.status as StatusRecord), fence: 2, state: 'running' });
        section.history({ event: 'claimed', fence: 2 });
      });
      await store.appendHistory('alpha', { event: 'run_started', run_id: 'r-2' });
      const history = await store.readHistory('alpha');
      t.equal(history.exists, true);
      t.same(history.damaged, []);
      t.same(
        history.records.map((r) => [r.event, r.fence ?? r.run_id ?? r.prompt]),
        [['dispatch_requested', 'p'], ['claimed', 1], ['claimed', 2], ['run_started', 'r-2']],
      );
      for (const r of history.records) {
        t.equal(r.type, 'history');
        t.equal(r.slug, 'alpha');
        t.match(r.ts, /^\d{4}-\d\d-\d\dT/);
      }
      t.same(Object.keys(history.records[0] as object), ['type', 'ts', 'event', 'prompt', 'slug', 'host'], 'history keys in the file store\'s order');
      t.same(await store.listSlugs(), ['alpha']);
    });

    t.test('a section that only looked leaves no task behind', async (t) => {
      const { store } = await open(t);
      const seen = await store.withTask('ghost', (section) => section.status);
      t.equal(seen, undefined);
      t.same(await store.listSlugs(), []);
      t.same([...(await store.readAllStatuses())], []);
      t.equal(await store.readStatus('ghost'), undefined);
      t.equal((await store.readHistory('ghost')).exists, false);
    });

    t.test('withOwnedTask refuses a superseded fence before fn runs', async (t) => {
      const { store } = await open(t);
      await store.withTask('beta', async (s) => s.write(statusFor('beta', (await s.takeFence()) as number)));
      await store.withTask('beta', async (s) => s.write(statusFor('beta', (await s.takeFence()) as number)));
      let ran = false;
      await t.rejects(
        store.withOwnedTask('beta', 1, () => {
          ran = true;
        }),
        FenceLostError,
      );
      t.equal(ran, false, 'fn never ran');
      const state = await store.withOwnedTask('beta', 2, async (s) => (await s.write({ ...s.status, state: 'running' })).state);
      t.equal(state, 'running', 'the current fence is let in');
    });

    t.test('a damaged status is an error of its own; the others are still read', async (t) => {
      const { store, damage } = await open(t);
      for (const slug of ['a-one', 'b-two', 'c-three']) await store.withTask(slug, async (s) => s.write(statusFor(slug, (await s.takeFence()) as number)));
      damage('b-two');
      const all = [...(await store.readAllStatuses())];
      t.same(all.map((e) => e.slug), ['a-one', 'b-two', 'c-three']);
      t.equal(all[0]?.status?.slug, 'a-one');
      t.equal(all[2]?.status?.slug, 'c-three');
      t.type(all[1]?.error, StatusFileError);
      t.equal((all[1]?.error as StatusFileError).code, 'status_wrong_shape');
      t.equal(all[1]?.status, undefined);
      await t.rejects(store.readStatus('b-two'), { code: 'status_wrong_shape' });
      await t.rejects(store.withTask('b-two', () => 'never'), { code: 'status_wrong_shape' }, 'a section is refused, never read as "no worker"');
    });

    t.test('watch reports the task whose status changed', async (t) => {
      const { store } = await open(t);
      const changes: StoreChange[] = [];
      let polls = 0;
      const watch = store.watch((c) => changes.push(c), { pollMs: 100, onPoll: () => polls++ });
      t.teardown(() => watch.close());
      // Ready: PostgreSQL says so with a rescan once it listens; the file store at once.
      if (kind === 'postgres') await waitFor(() => changes.some((c) => c.slug === undefined), 'the LISTEN to start');
      await store.withTask('gamma', async (s) => s.write(statusFor('gamma', (await s.takeFence()) as number)));
      await waitFor(() => changes.some((c) => c.slug === 'gamma'), 'a change notice for gamma');
      await waitFor(() => polls >= 2, 'onPoll every pollMs');
      t.pass('a notice named the task, and the poll ran');
      watch.close();
    });

    t.test('the tick lock: a second tick is refused at once, and can take it after', async (t) => {
      const { store } = await open(t);
      const inner = await store.withTickLock(async (held) => {
        held.assertHeld();
        return store.withTickLock(async () => 'both').catch((error) => error);
      });
      t.type(inner, LockBusyError);
      t.equal(await store.withTickLock(async () => 'again'), 'again');
    });

    t.test('limits: recorded, in force until they end, cleared', async (t) => {
      const { store } = await open(t);
      t.same(await store.activeLimits(), []);
      await store.recordLimit('acct-1', { worker: 'claude', slug: 'x', kind: 'rate', wait_ms: 3_600_000 });
      await store.recordLimit('acct-2', { worker: 'codex', slug: 'y', kind: 'usage', wait_ms: 300 });
      const active = await store.activeLimits();
      t.same(active.map((l) => [l.account, l.worker, l.slug, l.kind]), [['acct-1', 'claude', 'x', 'rate'], ['acct-2', 'codex', 'y', 'usage']]);
      const until = Date.parse(active[0]?.until as string) - Date.now();
      t.ok(until > 3_500_000 && until <= 3_600_000, `acct-1 ends in about an hour (${until} ms)`);
      await waitFor(async () => (await store.activeLimits()).length === 1, 'the short limit to end');
      await store.clearLimit('acct-1');
      t.same(await store.activeLimits(), []);
    });

    t.test('archive: refused with a reason, else the task leaves the live lists', async (t) => {
      const { store } = await open(t);
      await store.withTask('delta', async (s) => {
        s.history({ event: 'claimed', fence: 1 });
        return s.write(statusFor('delta', (await s.takeFence()) as number, { state: 'exited', outcome: 'ok' }));
      });
      const kept = await store.archive('delta', (status) => (status?.state === 'exited' ? 'too recent' : undefined));
      t.same(kept, { archived: false, moved: [], reason: 'too recent' });
      t.same(await store.listSlugs(), ['delta']);
      const moved = await store.archive('delta', () => undefined);
      t.equal(moved.archived, true);
      t.equal(moved.moved.length, 2, 'its status and its history');
      t.same(await store.listSlugs(), []);
      t.equal(await store.readStatus('delta'), undefined);
      t.equal((await store.readHistory('delta')).exists, false);
      const fence = await store.withTask('delta', async (s) => {
        t.equal(s.status, undefined, 'a new chain starts afresh');
        return s.takeFence();
      });
      t.ok((fence as number) >= 2, `a later claim still takes a fence above the archived one (${fence})`);
    });

    t.test('heartbeat: the last snapshot, replaced whole', async (t) => {
      const { store } = await open(t);
      t.equal(await store.readHeartbeat(), undefined);
      const snap = (n: number) => ({ type: 'snapshot', started_at: 'a', finished_at: 'b', duration_ms: n, pid: 1, dry_run: false, counts: {}, dispatched: n, max_dispatches_per_cycle: 3, tasks: [], actions: [] }) as unknown as HeartbeatSnapshot;
      await store.writeHeartbeat(snap(1));
      await store.writeHeartbeat(snap(2));
      t.same(await store.readHeartbeat(), snap(2));
    });

    t.test('housekeep lists every task with a status and finds nothing to tidy', async (t) => {
      const { store } = await open(t);
      for (const slug of ['h-1', 'h-2']) await store.withTask(slug, async (s) => s.write(statusFor(slug, (await s.takeFence()) as number)));
      const { slugs, notes } = await store.housekeep('all', { dryRun: false });
      t.same(slugs, ['h-1', 'h-2']);
      t.equal(notes.size, 0);
      t.same((await store.housekeep(['h-2'], { dryRun: true })).slugs, ['h-2']);
    });
  });
}
