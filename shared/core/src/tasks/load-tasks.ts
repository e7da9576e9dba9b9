import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';
import { parseTaskFile } from './parse-task-file.js';
import type { LoadedTask } from './task.js';

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

/** Every `*.md` in the tasks directory (not recursive), parsed; bad files come back invalid. */
export const loadTasks = (tasksDir: string): LoadedTask[] => {
  let names: string[];
  try {
    names = fs.readdirSync(tasksDir).filter((n) => n.endsWith('.md')).sort();
  } catch (error) {
    throw new FailureError(`cannot read the tasks directory ${tasksDir} (${(error as NodeJS.ErrnoException).code}); set --tasks-dir or TASK_MANAGER_TASKS_DIR`, 'tasks_dir_unreadable');
  }
  const loaded = names.map((name) => {
    const file = path.join(tasksDir, name);
    const slug = name.slice(0, -'.md'.length);
    try {
      const fd = fs.openSync(file, 'r');
      try {
        return parseTaskFile(fs.readFileSync(fd, 'utf8'), file, slug, fs.fstatSync(fd).mtimeMs);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      return { ok: false as const, invalid: { slug, source: file, problem: `cannot be read (${(error as NodeJS.ErrnoException).code})` } };
    }
  });
  return markDuplicates(loaded);
};
