import { slugProblem } from '../paths/slug.js';
import { DEFAULT_PRIORITY, type LoadedTask, type Task } from './task.js';

const PRIORITY = /^p([0-3])$/i;
const optionalText = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new Error(`"${field}" must be text`);
};

const invalidTask = (slug: unknown, source: string, problem: string): LoadedTask => ({ ok: false, invalid: { slug: typeof slug === 'string' ? slug : undefined, source, problem } });

/** A budget field: unset, a number above 0 (whole for max_turns), or the problem with it. */
const positive = (value: unknown, field: 'max_cost_usd' | 'max_turns', integer: boolean): number | undefined | string => {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return `"${field}" must be a ${integer ? 'whole ' : ''}number above 0, got ${JSON.stringify(value)}`;
  return n;
};

/**
 * Turns front matter (or a task record) into a Task, or names the first problem.
 * `slug` defaults to the file name; `priority` to p2; `status` is required.
 * Called once per line of `hb-tick -` (100,000 of them): no closures or spread
 * objects made per call.
 */
export const taskFromFields = (fields: Record<string, unknown>, body: string, source: string, defaults: { slug?: string; order: number }): LoadedTask => {
  const slug = fields.slug ?? defaults.slug;
  const badSlug = slugProblem(slug);
  if (badSlug) return invalidTask(slug, source, `slug ${JSON.stringify(slug)}: ${badSlug}`);
  const status = typeof fields.status === 'string' ? fields.status.trim() : '';
  if (status === '') return invalidTask(slug, source, '"status" is missing (ready, in_progress, blocked, completed, ...)');
  let priority = DEFAULT_PRIORITY;
  if (fields.priority !== undefined && fields.priority !== null) {
    const match = PRIORITY.exec(String(fields.priority));
    if (!match) return invalidTask(slug, source, `"priority" must be p0, p1, p2 or p3, got ${JSON.stringify(fields.priority)}`);
    priority = Number(match[1]);
  }
  const deps = fields.depends_on ?? [];
  if (!Array.isArray(deps)) return invalidTask(slug, source, '"depends_on" must be a list of task slugs');
  for (const dep of deps) {
    const problem = slugProblem(dep);
    if (problem) return invalidTask(slug, source, `depends_on ${JSON.stringify(dep)}: ${problem}`);
  }
  const maxCost = positive(fields.max_cost_usd, 'max_cost_usd', false);
  if (typeof maxCost === 'string') return invalidTask(slug, source, maxCost);
  const maxTurns = positive(fields.max_turns, 'max_turns', true);
  if (typeof maxTurns === 'string') return invalidTask(slug, source, maxTurns);
  let created: number | undefined;
  if (fields.created !== undefined) {
    const ms = fields.created instanceof Date ? fields.created.getTime() : Date.parse(String(fields.created));
    if (!Number.isNaN(ms)) created = ms;
  }
  try {
    const task: Task = {
      slug: slug as string,
      source,
      status,
      priority,
      id: optionalText(fields.id, 'id'),
      title: optionalText(fields.title, 'title'),
      milestone: optionalText(fields.milestone, 'milestone'),
      owner: optionalText(fields.owner, 'owner'),
      depends_on: deps as string[],
      worker: optionalText(fields.worker, 'worker'),
      worker_cmd: optionalText(fields.worker_cmd, 'worker_cmd'),
      prompt: optionalText(fields.prompt, 'prompt'),
      body,
      order: created ?? defaults.order,
    };
    if (maxCost !== undefined) task.max_cost_usd = maxCost;
    if (maxTurns !== undefined) task.max_turns = maxTurns;
    return { ok: true, task };
  } catch (error) {
    return invalidTask(slug, source, (error as Error).message);
  }
};
