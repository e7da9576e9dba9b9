import { bootId } from '../liveness/proc.js';
import type { DispatchState } from '../status/dispatch-state.js';
import type { StatusRecord } from '../status/schema.js';
import type { Task } from '../tasks/task.js';
import { elapsedSinceMs, nowMs } from '../time/clock.js';
import { cooldownMs } from './cooldown.js';

export const CLASSES = ['dispatchable', 'active', 'held', 'limited', 'cooldown', 'done', 'gave_up', 'not_ready', 'waiting', 'invalid'] as const;
export type TaskClass = (typeof CLASSES)[number];

export interface Classification {
  class: TaskClass;
  reason: string;
  /** For cooldown: when the task becomes dispatchable again. */
  until?: string;
}

/** What the heartbeat knows about a task's dispatch. */
export interface DispatchInfo {
  status?: StatusRecord;
  state?: DispatchState;
  /** The status file exists but cannot be read: never dispatch beside an unknown worker. */
  damaged?: string;
}

export interface ClassifyContext {
  retryCooldownMs: number;
  retryCooldownMaxMs: number;
  maxAttempts: number;
  /** The task's cost budget as configured now (a raised budget lifts a budget hold). */
  budgetFor?: (task: Task) => number | null;
  /** Other tasks and their dispatches, for depends_on. */
  lookup: (slug: string) => { task?: Task; info: DispatchInfo } | undefined;
}

const DONE_STATUSES = new Set(['completed', 'done']);

/** The last run ended ok and no follow-up is left to run (one released with its queue is not done). */
const endedOk = (status: StatusRecord | undefined): boolean => status?.state === 'exited' && status.outcome === 'ok' && status.followups.length === 0;

/** A dependency is done when its task says so or its last run ended ok. */
const depDone = (entry: { task?: Task; info: DispatchInfo }): boolean => (entry.task !== undefined && DONE_STATUSES.has(entry.task.status)) || endedOk(entry.info.status);

// Most tasks of a big plan are not ready, for a handful of reasons: one frozen
// classification per task status (the first 64 statuses seen), not an object and a
// string per task kept to the end of the tick.
const NOT_READY = new Map<string, Classification>();
const notReady = (status: string): Classification => {
  const known = NOT_READY.get(status);
  if (known) return known;
  const c = Object.freeze({ class: 'not_ready' as const, reason: `task status is ${status}` });
  if (NOT_READY.size < 64) NOT_READY.set(status, c);
  return c;
};

export const classifyTask = (task: Task, info: DispatchInfo, ctx: ClassifyContext): Classification => {
  if (info.damaged) return { class: 'invalid', reason: `status file damaged: ${info.damaged}` };
  const state = info.state;
  if (state === 'starting' || state === 'running') return { class: 'active', reason: `a worker is ${state}` };
  if (state === 'orphaned') return { class: 'active', reason: 'an orphaned worker holds the task (worker-reap --kill-orphans)' };
  const held = info.status?.held;
  const total = info.status?.cost_total_usd ?? 0;
  const budget = ctx.budgetFor?.(task) ?? null;
  const budgetRaised = held?.reason === 'budget' && budget !== null && total < budget;
  if (held && !budgetRaised) {
    const why = held.reason === 'budget' ? `its cost budget is spent ($${total.toFixed(2)}); raise max_cost_usd or ` : '';
    return { class: 'held', reason: `held by ${held.by} at ${held.at}; ${why}dispatch-stop --release ${task.slug}` };
  }
  const limit = info.status?.outcome === 'limited' ? info.status.limit : undefined;
  if (limit) {
    const left = limit.wait_ms - (elapsedSinceMs(info.status?.ended_at, info.status?.ended_mono, bootId()) ?? limit.wait_ms);
    if (left > 0) return { class: 'limited', reason: `its last run hit a ${limit.kind} limit; resumes when it resets`, until: new Date(nowMs() + left).toISOString() };
  }
  if (task.status !== 'ready') return notReady(task.status);
  const status = info.status;
  if (endedOk(status)) return { class: 'done', reason: 'the last run ended ok' };
  if (status && status.failures >= ctx.maxAttempts && ctx.maxAttempts > 0) {
    return { class: 'gave_up', reason: `${status.failures} failed runs in a row; clear with hb-tick --clear ${task.slug}` };
  }
  for (const dep of task.depends_on) {
    const entry = ctx.lookup(dep);
    if (!entry || (!entry.task && !entry.info.status)) return { class: 'invalid', reason: `depends_on names an unknown task: ${dep}` };
    if (!depDone(entry)) return { class: 'waiting', reason: `waiting for ${dep}` };
  }
  if (status && status.failures > 0) {
    const wait = cooldownMs(task.slug, status.failures, ctx.retryCooldownMs, ctx.retryCooldownMaxMs);
    const elapsed = elapsedSinceMs(status.ended_at, status.ended_mono, bootId()) ?? wait;
    if (elapsed < wait) {
      return {
        class: 'cooldown',
        // No "after N s" here: the record outlives the moment (heartbeat.json); `until` stays true.
        reason: `last run ${status.outcome ?? status.state}; retry ${status.failures + 1} when the cooldown ends`,
        until: new Date(nowMs() + (wait - elapsed)).toISOString(),
      };
    }
  }
  return { class: 'dispatchable', reason: status ? `retry after ${status.outcome ?? status.state}` : 'ready, never dispatched' };
};
