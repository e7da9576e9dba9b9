import { parse } from 'yaml';
import { taskFromFields } from './task-fields.js';
import type { LoadedTask } from './task.js';

// Front matter: a first line '---', YAML, a line '---'; the rest is the body.
const FRONT = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/**
 * Parses one task file's text; a file with bad front matter is an InvalidTask naming it.
 * A file with no front matter at all (a README beside the tasks) is not a task: undefined.
 */
export const parseTaskFile = (text: string, file: string, slug: string, mtimeMs: number): LoadedTask | undefined => {
  const match = FRONT.exec(text);
  if (!match) return undefined;
  let fields: unknown;
  try {
    fields = parse(match[1] as string);
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    return { ok: false, invalid: { slug, source: file, problem: `front matter is not valid YAML: ${first}` } };
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    return { ok: false, invalid: { slug, source: file, problem: 'front matter is not a mapping of fields' } };
  }
  return taskFromFields(fields as Record<string, unknown>, text.slice(match[0].length), file, { slug, order: mtimeMs });
};
