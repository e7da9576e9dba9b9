import type { LoadedTask } from './task.js';

// Apart from load-tasks.ts, which parses task files: a reader of task records (hb-tick -)
// needs this, not the YAML parser (~260 KB to load and compile).

/** Marks every task after the first with the same slug invalid (the first one wins). */
export const markDuplicates = (loaded: LoadedTask[]): LoadedTask[] => {
  const first = new Map<string, string>();
  return loaded.map((item) => {
    if (!item.ok) return item;
    const seen = first.get(item.task.slug);
    if (seen === undefined) {
      first.set(item.task.slug, item.task.source);
      return item;
    }
    return { ok: false, invalid: { slug: item.task.slug, source: item.task.source, problem: `slug ${item.task.slug} is also used by ${seen}` } };
  });
};
