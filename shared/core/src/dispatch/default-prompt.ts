import fs from 'node:fs';
import path from 'node:path';
import { BadInputError, UsageError } from '../errors/errors.js';
import { parseTaskFile } from '../tasks/parse-task-file.js';
import { taskPrompt } from '../tasks/task-prompt.js';

/** With no --prompt, a task's prompt comes from its task file, as the heartbeat builds it. */
export const defaultPrompt = (tasksDir: string, slug: string): string => {
  const file = path.join(tasksDir, `${slug}.md`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`no prompt for ${slug}: pass --prompt/--prompt-file, or create ${file}`);
  }
  const loaded = parseTaskFile(text, file, slug, 0);
  if (!loaded.ok) throw new BadInputError(`task file ${file}: ${loaded.invalid.problem}`, 'invalid_task', { slug, file });
  return taskPrompt(loaded.task);
};
