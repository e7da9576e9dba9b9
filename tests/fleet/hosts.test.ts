// Three hosts, one queue: three clones of one bare remote, three host ids, each talking
// to one PostgreSQL server through its own TCP proxy on 127.0.0.1 that the test can cut,
// their wall clocks minutes apart (libfaketime). A checker samples /proc every 25 ms and
// counts the moments two runs of one task live.
import t from 'tap';
import { nodeWorker, pidAlive, runBin, waitFor } from '../fixtures/e2e.js';
import { checker, fleet, liveRuns } from '../fixtures/fleet.js';

// Long enough that a loaded 2-core machine stops a run within the margin (a third of it).
const LEASE_SECONDS = 8;
// The checker looks at every process of the machine: a slug no other test uses.
const SLUG = `fleet-${process.pid}`;
// `just soak` sets TM_SOAK_ROUNDS; `just test` runs one round.
const ROUNDS = Math.max(1, Number(process.env.TM_SOAK_ROUNDS ?? 1));

t.test('three hosts, clocks an hour apart: kill -9, a partition and a frozen supervisor each hand the task over with never two live runs', async (t) => {
  // Host b's wall clock runs 5 minutes ahead, host c's an hour behind: leases go by the
  // database's clock and deadlines by each host's monotonic clock, so it must not matter.
  const { store, hosts } = await fleet(t, [0, 300, -3600], {
    TASK_MANAGER_LEASE_SECONDS: String(LEASE_SECONDS),
    TASK_MANAGER_KILL_GRACE_SECONDS: '1',
    TASK_MANAGER_WORKER_CMD: nodeWorker('sleeper.mjs', '600'),
  });
  const [a, b, c] = hosts as [(typeof hosts)[0], (typeof hosts)[0], (typeof hosts)[0]];
  const check = checker(SLUG);
  t.teardown(() => check.stop());
  const status = () => store.readStatus(SLUG);
  const running = (host: string) => async () => {
    const s = await status();
    return s?.state === 'running' && s.owner?.host === host ? s : undefined;
  };
  // A host tries to take the task until it may (the lease of the last holder has expired).
  const takeOver = async (host: (typeof hosts)[0]) => {
    let conflicts = 0;
    const taken = await waitFor(async () => {
      const r = await runBin('dispatch', [SLUG, '--prompt', `from ${host.id}`], { cwd: host.repo, env: host.env });
      if (r.code === 3) conflicts += 1;
      return r.code === 0 ? r : undefined;
    }, `host ${host.id} takes the task over`, 60_000);
    return { taken, conflicts };
  };

  // Host a runs the task; then, each round: kill -9 of host a's supervisor takes the run
  // with it (kernel-enforced) and host b takes over; host b is cut off and host c takes
  // over; host c's supervisor freezes and host a takes over. `just soak` runs many rounds.
  const first = await runBin('dispatch', [SLUG, '--prompt', 'first'], { cwd: a.repo, env: a.env });
  t.equal(first.code, 0, first.stderr);
  let onA = await waitFor(running('host-a'), 'running on host a');
  t.equal(onA.owner?.host, 'host-a', 'the status names the host');
  t.equal(liveRuns(SLUG).size, 1);
  for (let round = 1; round <= ROUNDS; round++) {
    // 1. kill -9 of host a's supervisor: the run dies with it; host b waits out the lease.
    check.state.phase = 'kill -9';
    process.kill(onA.owner?.pid as number, 'SIGKILL');
    await waitFor(() => liveRuns(SLUG).size === 0, 'the run died with its supervisor', 10_000);
    const toB = await takeOver(b);
    t.ok(toB.conflicts > 0, `round ${round}: host b was refused while the lease of host a was in force`);
    const onB = await waitFor(running('host-b'), 'running on host b');
    t.ok(onB.fence > onA.fence, `round ${round}: the fence grew`);

    // 2. Host b is cut off from the database: it stops its run before its lease expires; host c takes over.
    check.state.phase = 'partition';
    b.proxy.cut();
    await waitFor(() => liveRuns(SLUG).size === 0, 'host b stopped its run (self-fencing)', 20_000);
    const toC = await takeOver(c);
    t.equal(toC.taken.code, 0);
    const onC = await waitFor(running('host-c'), 'running on host c');
    b.proxy.restore();

    // 3. Host c's supervisor freezes (SIGSTOP): its guard kills the run; host a takes over.
    const frozen = onC.owner?.pid as number;
    check.state.phase = 'frozen';
    process.kill(frozen, 'SIGSTOP');
    t.teardown(() => {
      if (pidAlive(frozen)) process.kill(frozen, 'SIGKILL');
    });
    await waitFor(() => liveRuns(SLUG).size === 0, 'the guard killed the frozen supervisor\'s run', 20_000);
    await takeOver(a);
    onA = await waitFor(running('host-a'), 'running on host a again');
    check.state.phase = 'woken';
    process.kill(frozen, 'SIGCONT');
    // The woken supervisor finds its fence gone and leaves without writing.
    await waitFor(() => !pidAlive(frozen), 'the stale supervisor left', 20_000);
    const now = await status();
    t.equal(now?.owner?.host, 'host-a', `round ${round}: the stale supervisor wrote nothing over the new holder`);
  }

  check.stop();
  t.ok(check.state.samples > 100, `sampled ${check.state.samples} times`);
  t.equal(check.state.overlaps, 0, `never two live runs of the task (${JSON.stringify(check.state.byPhase)})`);
  t.comment(`three hosts: ${ROUNDS} rounds of kill -9, partition and freeze; ${check.state.samples} samples, ${check.state.overlaps} with two live runs`);
  const claimed = (await store.readHistory(SLUG)).records.filter((r) => r.event === 'claimed');
  t.same(claimed.map((r) => r.host), ['host-a', ...Array.from({ length: ROUNDS }, () => ['host-b', 'host-c', 'host-a']).flat()], 'history tells each claim and its host');
  // The clocks really were apart: each host stamps history by its own wall clock.
  const at = claimed.map((r) => Date.parse(r.ts as string));
  t.ok(at[1]! - at[0]! > 250_000, `host b stamps 5 minutes ahead (${(at[1]! - at[0]!) / 1000} s after host a's claim)`);
  t.ok(at[0]! - at[2]! > 3_000_000, `host c stamps an hour behind (${(at[0]! - at[2]!) / 1000} s before host a's first claim)`);
  // Stop the last run.
  await runBin('dispatch-stop', [SLUG, '--grace', '1'], { cwd: a.repo, env: a.env });
  await waitFor(() => liveRuns(SLUG).size === 0, 'stopped', 20_000);
});
