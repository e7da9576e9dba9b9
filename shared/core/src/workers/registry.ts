import { UsageError } from '../errors/errors.js';
import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { commandAdapter } from './command.js';
import { demoAdapter } from './demo.js';
import { geminiAdapter } from './gemini.js';
import type { WorkerAdapter } from './types.js';

const ADAPTERS: Record<string, WorkerAdapter> = {
  claude: claudeAdapter,
  codex: codexAdapter,
  gemini: geminiAdapter,
  demo: demoAdapter,
  command: commandAdapter,
};

export const WORKER_NAMES = Object.keys(ADAPTERS);

/** The adapter of that name, or undefined; only the registry's own entries (never `constructor`, `__proto__`). */
export const knownAdapter = (name: string): WorkerAdapter | undefined => (Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : undefined);

export const getAdapter = (name: string): WorkerAdapter => {
  const adapter = knownAdapter(name);
  if (!adapter) throw new UsageError(`unknown worker ${JSON.stringify(name)}; use one of ${WORKER_NAMES.join(', ')}`, { worker: name });
  return adapter;
};
