import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/resolve-config.js';
import type { Task } from '../tasks/task.js';
import { checkLayer, chooseWorker, type WorkerChoice, type WorkerLayer } from '../workers/choose-worker.js';

export interface WorkerSources {
  /** A stdin record's own `worker`/`worker_cmd`: the most specific of all. */
  record?: { source: string; worker?: string; workerCmd?: string };
  task?: Task;
  /** The worker of the task's last chain (dispatch-continue): its name only, never its command. */
  previousWorker?: string | null;
}

/**
 * The worker for one task, in the one documented order: record > flag > task file >
 * the task's previous worker > environment > default (claude). Throws UsageError for
 * a bad flag or environment value, BadInputError for a bad record or task file.
 */
export const workerForTask = (config: Config, sources: WorkerSources): WorkerChoice => {
  const [flag, env] = config.workerLayers() as [WorkerLayer, WorkerLayer];
  const layers: WorkerLayer[] = [];
  if (sources.record) layers.push({ from: sources.record.source, kind: 'record', worker: sources.record.worker, workerCmd: sources.record.workerCmd });
  layers.push(flag);
  if (sources.task) layers.push({ from: sources.task.source, kind: 'task', worker: sources.task.worker, workerCmd: sources.task.worker_cmd });
  if (sources.previousWorker) layers.push({ from: 'the previous run', kind: 'previous', worker: sources.previousWorker });
  layers.push(env);
  return chooseWorker(layers, { allowTaskCommands: sources.task ? config.allowTaskCommands : false });
};

/** Checks the command line's own worker settings once, before any task is touched (exit 2). */
export const checkWorkerFlags = (config: Config): void => {
  for (const layer of config.workerLayers()) checkLayer(layer);
};

/**
 * `tasks/<slug>.md`, when there is one. The YAML parser (~27 ms to load) is imported
 * only then, so a dispatch with no task file does not pay for it.
 */
export const taskFileFor = async (config: Config, slug: string): Promise<Task | undefined> => {
  if (!fs.existsSync(path.join(config.tasksDir, `${slug}.md`))) return undefined;
  return (await import('../tasks/read-task-file.js')).readTaskFile(config.tasksDir, slug);
};
