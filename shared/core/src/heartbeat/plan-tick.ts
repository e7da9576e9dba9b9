import type { ActiveLimit } from '../limits/account-limits.js';
import type { LoadedTask, Task } from '../tasks/task.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import { classifyTask, type Classification, type ClassifyContext, type DispatchInfo } from './classify.js';
import { planDispatches } from './plan.js';

export interface Classified {
  slug: string;
  source: string;
  c: Classification;
  priority?: number;
}

export interface TickPlanInput {
  loaded: LoadedTask[];
  infoOf: (slug: string) => DispatchInfo;
  ctx: ClassifyContext;
  /** The worker a task would run, validated (throws when it cannot run: then the task is invalid). */
  chooseFor: (task: Task) => WorkerChoice;
  /** The account a choice runs under (workers/run-account.ts). */
  accountOf: (choice: WorkerChoice) => string;
  limits: ActiveLimit[];
  maxDispatchesPerCycle: number;
  /** Workers alive now, and the cap on them (undefined: none). */
  alive: number;
  maxActive: number | undefined;
  /** Several hosts: the workers alive on this host, and this host's own cap (undefined: none). */
  aliveHere?: number;
  maxActivePerHost?: number | undefined;
}

export interface TickPlan {
  classified: Classified[];
  /** What this tick starts, in order (p0 first, then oldest), with each one's worker. */
  now: { task: Task; choice: WorkerChoice }[];
}

/**
 * The heart of a tick, without processes or files: every task's class, then what to
 * start — at most the per-cycle cap, at most the room --max-active leaves, none on an
 * account under a limit, none whose worker cannot run (those are `invalid` now rather
 * than failures after a claim).
 */
export const planTick = (input: TickPlanInput): TickPlan => {
  const classified: Classified[] = [];
  const dispatchable: Task[] = [];
  const choices = new Map<string, WorkerChoice>();
  for (const item of input.loaded) {
    if (!item.ok) {
      classified.push({ slug: item.invalid.slug ?? '', source: item.invalid.source, c: { class: 'invalid', reason: item.invalid.problem } });
      continue;
    }
    const { task } = item;
    let c = classifyTask(task, input.infoOf(task.slug), input.ctx);
    if (c.class === 'dispatchable') {
      try {
        const choice = input.chooseFor(task);
        const limit = input.limits.find((l) => l.account === input.accountOf(choice));
        if (limit) c = { class: 'limited', reason: `the ${choice.worker} account is limited (${limit.kind} limit hit by ${limit.slug})`, until: limit.until };
        else {
          choices.set(task.slug, choice);
          dispatchable.push(task);
        }
      } catch (error) {
        c = { class: 'invalid', reason: (error as Error).message };
      }
    }
    classified.push({ slug: task.slug, source: task.source, c, priority: task.priority });
  }
  const fleetRoom = input.maxActive === undefined ? Infinity : Math.max(0, input.maxActive - input.alive);
  const hostRoom = input.maxActivePerHost === undefined ? Infinity : Math.max(0, input.maxActivePerHost - (input.aliveHere ?? input.alive));
  const room = Math.min(fleetRoom, hostRoom);
  const plan = planDispatches(dispatchable, Math.min(input.maxDispatchesPerCycle, room));
  return { classified, now: plan.now.map((task) => ({ task, choice: choices.get(task.slug) as WorkerChoice })) };
};
