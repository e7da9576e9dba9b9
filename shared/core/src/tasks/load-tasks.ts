import fs from 'node:fs';
import path from 'node:path';
import { FailureError } from '../errors/errors.js';
import { markDuplicates } from './mark-duplicates.js';
import { parseTaskFile } from './parse-task-file.js';
import { readTaskText } from './read-task-text.js';
import type { LoadedTask } from './task.js';

/** A `*.md` in the tasks directory that is not a task (no front matter): named once, never an error. */
export interface IgnoredFile {
  source: string;
  reason: string;
}

/**
 * Every `*.md` in the tasks directory (not recursive), parsed; bad files come back
 * invalid, one at a time: a bad file never stops the others from loading.
 */
export const loadTasks = (tasksDir: string): { loaded: LoadedTask[]; ignored: IgnoredFile[] } => {
  let names: string[];
  try {
    names = fs.readdirSync(tasksDir).filter((n) => n.endsWith('.md')).sort();
  } catch (error) {
    throw new FailureError(`cannot read the tasks directory ${tasksDir} (${(error as NodeJS.ErrnoException).code}); set --tasks-dir or TASK_MANAGER_TASKS_DIR`, 'tasks_dir_unreadable');
  }
  const loaded: LoadedTask[] = [];
  const ignored: IgnoredFile[] = [];
  for (const name of names) {
    const file = path.join(tasksDir, name);
    const slug = name.slice(0, -'.md'.length);
    try {
      const parsed = parseTaskFile(readTaskText(file), file, slug, fs.statSync(file).mtimeMs);
      if (parsed) loaded.push(parsed);
      else ignored.push({ source: file, reason: 'no YAML front matter, so not a task' });
    } catch (error) {
      loaded.push({ ok: false, invalid: { slug, source: file, problem: (error as Error).message } });
    }
  }
  return { loaded: markDuplicates(loaded), ignored };
};
