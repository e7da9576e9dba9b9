import type { Task } from '../tasks/task.js';

/** The dispatchable tasks in order — priority p0 first, then oldest — split at the cap. */
export const planDispatches = (dispatchable: Task[], max: number): { now: Task[]; later: Task[] } => {
  const ordered = [...dispatchable].sort((a, b) => a.priority - b.priority || a.order - b.order || a.slug.localeCompare(b.slug));
  return { now: ordered.slice(0, max), later: ordered.slice(max) };
};
