// The supervisor's side of a lease: renewals keep it, a refusal or silence ends it, and
// the run is stopped before the lease can expire (self-fencing), on the local clock.
import t from 'tap';
import { keepLease, type LeaseApi } from '@task-manager/core/supervisor/lease-keeper';
import { monotonicMs } from '@task-manager/core/time/clock';
import { waitFor } from '../fixtures/bins.js';

const recorder = () => {
  const seen = { renewed: [] as number[], lost: [] as string[] };
  return { seen, events: { onRenewed: (ms: number) => void seen.renewed.push(ms), onLost: (reason: string) => void seen.lost.push(reason) } };
};

t.test('renewals that succeed keep the lease: never lost, and each gives the budget left', async (t) => {
  let calls = 0;
  const lease: LeaseApi = { ttlMs: 800, marginMs: 200, renew: async (slug, fence) => (calls++, slug === 'a' && fence === 7) };
  const { seen, events } = recorder();
  const keeper = keepLease(lease, 'a', 7, monotonicMs(), events);
  t.teardown(() => keeper.stop());
  await waitFor(() => seen.renewed.length >= 8, 'eight renewals (two leases long)', 30_000);
  keeper.stop();
  t.same(seen.lost, [], 'never lost while renewals succeed');
  t.ok(seen.renewed.every((ms) => ms > 0 && ms <= 600), `each budget is at most ttl - margin (${seen.renewed.map(Math.round).join(', ')})`);
  t.ok(calls >= 8, 'the store was asked each time');
});

t.test('a renewal answered "not yours" ends the lease at once', async (t) => {
  const lease: LeaseApi = { ttlMs: 60_000, marginMs: 5_000, renew: async () => false };
  const { seen, events } = recorder();
  const keeper = keepLease(lease, 'b', 3, monotonicMs(), events);
  t.teardown(() => keeper.stop());
  await waitFor(() => seen.lost.length > 0, 'the loss');
  t.match(seen.lost[0], /lease of task b \(fence 3\) is no longer ours/);
  t.equal(seen.lost.length, 1, 'told once');
});

t.test('a store that does not answer: the run is stopped before the lease can expire', async (t) => {
  // Renewals hang (the database is cut off); the deadline is ttl - margin from the last send.
  const lease: LeaseApi = { ttlMs: 3000, marginMs: 1500, renew: () => new Promise<boolean>(() => undefined) };
  const { seen, events } = recorder();
  const sent = monotonicMs();
  const keeper = keepLease(lease, 'c', 1, sent, events);
  t.teardown(() => keeper.stop());
  await waitFor(() => seen.lost.length > 0, 'the self-fence', 30_000);
  const at = monotonicMs() - sent;
  t.match(seen.lost[0], /not renewed in time/);
  t.ok(at >= 1500, `not before the deadline (${Math.round(at)} ms after the last send)`);
  t.ok(at < 3000, `before the lease could expire (${Math.round(at)} ms < 3000 ms)`);
  t.ok(keeper.remainingMs() < 0, 'no budget left');
});

t.test('a renewal that fails (network) is tried again; the next success restores the budget', async (t) => {
  let n = 0;
  const lease: LeaseApi = {
    ttlMs: 1200,
    marginMs: 300,
    renew: async () => {
      n += 1;
      if (n === 2) throw new Error('connection reset');
      return true;
    },
  };
  const { seen, events } = recorder();
  const keeper = keepLease(lease, 'd', 2, monotonicMs(), events);
  t.teardown(() => keeper.stop());
  await waitFor(() => n >= 5, 'five renewal attempts', 30_000);
  keeper.stop();
  t.same(seen.lost, [], 'one failed renewal inside the budget loses nothing');
  t.ok(seen.renewed.length >= 3, 'the others renewed');
});
