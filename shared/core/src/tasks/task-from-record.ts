import { taskFromFields } from './task-fields.js';
import type { LoadedTask } from './task.js';

/** A task given as an NDJSON record: the same fields as front matter, `body` optional. */
export const taskFromRecord = (record: Record<string, unknown>, source: string, order: number): LoadedTask =>
  taskFromFields(record, typeof record.body === 'string' ? record.body : '', source, { order });
