import type { Task } from './task.js';

/** The prompt for a task's first run: its `prompt` field, else built from the file. */
export const taskPrompt = (task: Task): string => {
  if (task.prompt) return task.prompt;
  const heading = task.title ? `${task.title}\n\n` : '';
  const where = task.source.startsWith('stdin:') ? '' : `The task file is ${task.source}.\n\n`;
  return `Work on task ${task.slug}. ${where}${heading}${task.body.trim()}`.trim();
};
