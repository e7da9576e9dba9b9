import { BadInputError, UsageError } from '../errors/errors.js';
import { commandArgv } from './command.js';
import { getAdapter } from './registry.js';

/** Where a worker setting can come from; `kind` decides how a bad value is reported. */
export interface WorkerLayer {
  /** Named in errors: `--worker-cmd`, `TASK_MANAGER_WORKER`, `tasks/a.md`, `stdin:3`. */
  from: string;
  /** flag and env are the command line (usage, exit 2); record and task are input (exit 4). */
  kind: 'record' | 'flag' | 'task' | 'previous' | 'env';
  worker?: string | null;
  workerCmd?: string | null;
}

export interface WorkerChoice {
  worker: string;
  /** Only for the command worker. */
  workerCmd: string | null;
  /** The layer that chose the worker, for records and errors. */
  from: string;
}

export const DEFAULT_WORKER = 'claude';

const fail = (layer: WorkerLayer, message: string, code: string, details: Record<string, unknown>): never => {
  if (layer.kind === 'flag' || layer.kind === 'env') throw new UsageError(message, details);
  throw new BadInputError(message, code, details);
};

const checkName = (layer: WorkerLayer, worker: string): void => {
  try {
    getAdapter(worker);
  } catch (error) {
    fail(layer, `${layer.from}: ${(error as Error).message}`, 'invalid_worker', { worker });
  }
};

const checkCmd = (layer: WorkerLayer, workerCmd: string): void => {
  try {
    commandArgv(workerCmd, 'prompt');
  } catch (error) {
    fail(layer, `${layer.from}: ${(error as Error).message}`, 'invalid_worker_cmd', { worker_cmd: workerCmd });
  }
};

/** Validates what one layer says, on its own (the command line's settings, up front). */
export const checkLayer = (layer: WorkerLayer): void => {
  if (layer.worker) checkName(layer, layer.worker);
  if (layer.workerCmd) checkCmd(layer, layer.workerCmd);
};

/**
 * One resolution order for every tool: the first layer (most specific first) that names
 * a worker or a command decides the worker; a worker command alone means `command`.
 * The command itself is the first one found from that layer down. A command written in
 * a task file is code someone committed: it runs only when the operator allows task
 * commands (docs/security.md). Everything is validated here, before anything is claimed.
 */
export const chooseWorker = (layers: WorkerLayer[], options: { allowTaskCommands: boolean }): WorkerChoice => {
  const at = layers.findIndex((l) => l.worker || l.workerCmd);
  const decider = layers[at];
  if (!decider) return { worker: DEFAULT_WORKER, workerCmd: null, from: 'default' };
  const worker = decider.worker || 'command';
  checkName(decider, worker);
  if (worker !== 'command') return { worker, workerCmd: null, from: decider.from };
  const source = layers.slice(at).find((l) => l.workerCmd && l.kind !== 'previous');
  if (!source) {
    return fail(decider, `${decider.from}: the command worker needs a program: pass --worker-cmd "PROGRAM ARGS..." or set TASK_MANAGER_WORKER_CMD`, 'invalid_worker', { worker });
  }
  if (source.kind === 'task' && !options.allowTaskCommands) {
    fail(source, `${source.from} sets worker_cmd, and task files may run commands only when the operator allows it: pass --allow-task-commands or set TASK_MANAGER_ALLOW_TASK_COMMANDS=1 (or name an agent: worker: claude)`, 'task_command_not_allowed', { worker });
  }
  checkCmd(source, source.workerCmd as string);
  return { worker, workerCmd: source.workerCmd as string, from: decider.from };
};
