// The tick's decision without processes or files: classes, the caps, limits, bad workers.
import t from 'tap';
import { planTick, type TickPlanInput } from '@task-manager/core/heartbeat/plan-tick';

const task = (slug: string, priority = 2, order = 0) => ({ ok: true as const, task: { slug, source: `tasks/${slug}.md`, status: 'ready', priority, depends_on: [], body: '', order } });
const input = (over: Partial<TickPlanInput> = {}): TickPlanInput => ({
  loaded: [task('a', 2, 1), task('b', 0, 2), task('c', 1, 3)],
  infoOf: () => ({}),
  ctx: { retryCooldownMs: 1000, retryCooldownMaxMs: 10_000, maxAttempts: 5, lookup: () => undefined },
  chooseFor: () => ({ worker: 'claude', workerCmd: null, from: 'default' }),
  accountOf: (choice) => `${choice.worker}:acc`,
  limits: [],
  maxDispatchesPerCycle: 2,
  alive: 0,
  maxActive: undefined,
  ...over,
});
const slugs = (plan: ReturnType<typeof planTick>) => plan.now.map((n) => n.task.slug);

t.test('p0 first, then the others by priority, at most the per-cycle cap', async (t) => {
  const plan = planTick(input());
  t.same(slugs(plan), ['b', 'c']);
  t.same(plan.classified.map((c) => c.c.class), ['dispatchable', 'dispatchable', 'dispatchable']);
});

t.test('--max-active leaves room for the difference only', async (t) => {
  t.same(slugs(planTick(input({ alive: 2, maxActive: 3 }))), ['b']);
  t.same(slugs(planTick(input({ alive: 4, maxActive: 3 }))), [], 'over the cap already: nothing');
});

t.test('--max-active-per-host bounds this host, --max-active the fleet: the smaller room wins', async (t) => {
  t.same(slugs(planTick(input({ alive: 5, aliveHere: 1, maxActivePerHost: 2 }))), ['b'], 'one more here, whatever the fleet runs');
  t.same(slugs(planTick(input({ alive: 5, aliveHere: 2, maxActivePerHost: 2 }))), [], 'this host is full');
  t.same(slugs(planTick(input({ alive: 5, aliveHere: 0, maxActivePerHost: 4, maxActive: 6 }))), ['b'], 'the fleet has room for one');
});

t.test('a task whose account is limited is classed limited, and not started', async (t) => {
  const plan = planTick(input({ limits: [{ account: 'claude:acc', worker: 'claude', slug: 'other', kind: 'usage', until: '2026-11-25T20:00:00.000Z' }] }));
  t.same(slugs(plan), []);
  t.match(plan.classified[0], { c: { class: 'limited', reason: /claude account is limited \(usage limit hit by other\)/, until: '2026-11-25T20:00:00.000Z' } });
  const other = planTick(input({ accountOf: (c) => (c.worker === 'codex' ? 'codex:acc' : 'claude:acc'), chooseFor: (tk) => ({ worker: tk.slug === 'c' ? 'codex' : 'claude', workerCmd: null, from: 'x' }), limits: [{ account: 'claude:acc', worker: 'claude', slug: 'z', kind: 'rate', until: 'u' }] }));
  t.same(slugs(other), ['c'], 'another account goes on');
});

t.test('a task whose worker cannot run is invalid, with the reason; bad task files stay invalid', async (t) => {
  const plan = planTick(input({
    loaded: [task('a'), { ok: false as const, invalid: { slug: 'bad', source: 'tasks/bad.md', problem: 'front matter is not valid YAML' } }],
    chooseFor: () => {
      throw new Error('tasks/a.md sets worker_cmd, and task files may run commands only when the operator allows it');
    },
  }));
  t.same(slugs(plan), []);
  t.match(plan.classified, [{ slug: 'a', c: { class: 'invalid', reason: /allows it/ } }, { slug: 'bad', c: { class: 'invalid', reason: /not valid YAML/ } }]);
});
