import fs from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors/errors.js';
import { parseTaskFile } from './parse-task-file.js';
import { readTaskText } from './read-task-text.js';
import type { Task } from './task.js';

/**
 * `tasks/<slug>.md` as a Task, for the tools that take a slug (dispatch, continue):
 * undefined when there is none (or it has no front matter), BadInputError when it is
 * a task file that cannot be used. The YAML parser loads only when a file exists.
 */
export const readTaskFile = (tasksDir: string, slug: string): Task | undefined => {
  const file = path.join(tasksDir, `${slug}.md`);
  if (!fs.existsSync(file)) return undefined;
  const loaded = parseTaskFile(readTaskText(file), file, slug, 0);
  if (loaded === undefined) return undefined;
  if (!loaded.ok) throw new BadInputError(`task file ${file}: ${loaded.invalid.problem}`, 'invalid_task', { slug, file });
  return loaded.task;
};
