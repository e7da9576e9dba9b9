// What a task file's front matter (or a task record) means, without files: the fields,
// their defaults, and the first problem named; and the order follow-ups run in.
import t from 'tap';
import { orderFollowups } from '@task-manager/core/dispatch/order-followups';
import { taskFromFields } from '@task-manager/core/tasks/task-fields';

const from = (fields: Record<string, unknown>, slug = 'a') => taskFromFields(fields, 'the body', `tasks/${slug}.md`, { slug, order: 7 });
const problem = (fields: Record<string, unknown>, slug = 'a') => {
  const loaded = from(fields, slug);
  return loaded.ok ? undefined : loaded.invalid.problem;
};

t.test('a task: the slug from the file name, p2 and input order by default, every field read', async (t) => {
  t.same(from({ status: ' ready ' }), { ok: true, task: { slug: 'a', source: 'tasks/a.md', status: 'ready', priority: 2, id: undefined, title: undefined, milestone: undefined, owner: undefined, depends_on: [], worker: undefined, worker_cmd: undefined, prompt: undefined, body: 'the body', order: 7 } });
  const full = from({ slug: 'b', status: 'ready', priority: 'P0', id: 42, title: 'T', milestone: 'M1', owner: 'ann', depends_on: ['c'], worker: 'demo', worker_cmd: 'agent go', prompt: 'do it', max_cost_usd: '2.5', max_turns: 7, created: '2026-01-02T00:00:00Z' });
  t.match(full, { ok: true, task: { slug: 'b', priority: 0, id: '42', title: 'T', milestone: 'M1', owner: 'ann', depends_on: ['c'], worker: 'demo', worker_cmd: 'agent go', prompt: 'do it', max_cost_usd: 2.5, max_turns: 7, order: Date.parse('2026-01-02T00:00:00Z') } }, 'the slug field wins over the file name; created orders it');
  t.match(from({ status: 'ready', created: new Date(5) }), { task: { order: 5 } }, 'a YAML date');
  t.match(from({ status: 'ready', created: 'not a date' }), { task: { order: 7 } }, 'an unreadable created: input order');
  t.match(from({ status: 'ready', priority: null, max_cost_usd: null }), { ok: true, task: { priority: 2 } }, 'null is unset');
});

t.test('the first problem is named: status, slug, priority, depends_on, budgets, text fields', async (t) => {
  t.match(problem({}), /"status" is missing/);
  t.match(problem({ status: '  ' }), /"status" is missing/);
  t.match(problem({ status: 'ready', slug: '../x' }), /^slug "\.\.\/x": /);
  t.match(problem({ status: 'ready' }, 'Bad Name'), /^slug "Bad Name": /, 'a file name that is no slug');
  t.equal(problem({ status: 'ready', priority: 'urgent' }), '"priority" must be p0, p1, p2 or p3, got "urgent"');
  t.equal(problem({ status: 'ready', priority: 'p4' }), '"priority" must be p0, p1, p2 or p3, got "p4"');
  t.equal(problem({ status: 'ready', depends_on: 'b' }), '"depends_on" must be a list of task slugs');
  t.match(problem({ status: 'ready', depends_on: ['ok', '../x'] }), /^depends_on "\.\.\/x": /);
  t.equal(problem({ status: 'ready', max_cost_usd: 0 }), '"max_cost_usd" must be a number above 0, got 0');
  t.equal(problem({ status: 'ready', max_cost_usd: true }), '"max_cost_usd" must be a number above 0, got true');
  t.equal(problem({ status: 'ready', max_turns: 2.5 }), '"max_turns" must be a whole number above 0, got 2.5');
  t.equal(problem({ status: 'ready', title: ['a', 'b'] }), '"title" must be text');
  t.equal(problem({ status: 'ready', worker_cmd: { cmd: 'x' } }), '"worker_cmd" must be text');
});

t.test('follow-ups: interrupts first, each group in the order it was queued', async (t) => {
  const f = (id: string, mode: 'queue' | 'interrupt') => ({ id, prompt: id, mode, queued_at: 'q' });
  const ordered = orderFollowups([f('q1', 'queue'), f('i1', 'interrupt'), f('q2', 'queue'), f('i2', 'interrupt')]);
  t.same(ordered.map((x) => x.id), ['i1', 'i2', 'q1', 'q2']);
  t.same(orderFollowups([]), []);
});
