import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors/errors.js';

/**
 * With no --prompt, a task's prompt comes from its task file: the agent is pointed at
 * tasks/<slug>.md and given its text.
 */
export const defaultPrompt = (tasksDir: string, slug: string): string => {
  const file = path.join(tasksDir, `${slug}.md`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`no prompt for ${slug}: pass --prompt/--prompt-file, or create ${file}`);
  }
  return `Work on the task described in ${path.basename(tasksDir)}/${slug}.md. Its text:\n\n${text}`;
};
