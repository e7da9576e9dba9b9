import type { Config } from '../config/resolve-config.js';
import { ConflictError, HeldError, LimitedError } from '../errors/errors.js';
import { startChain } from '../dispatch/start-chain.js';
import type { Task } from '../tasks/task.js';
import type { WorkerChoice } from '../workers/choose-worker.js';
import { nowIso } from '../time/clock.js';
import type { Store } from '../store/store.js';

export interface ActionRecord {
  type: 'action';
  action: 'dispatch';
  slug: string;
  result: 'started' | 'timeout' | 'conflict' | 'held' | 'limited' | 'failed';
  run_id?: string | null;
  worker_pid?: number | null;
  message?: string;
  duration_ms: number;
  ts: string;
}

/**
 * One dispatch, never longer than the dispatch timeout: a start that hangs (a stuck
 * git, a lock) is reported as `timeout` and the tick moves on, so the heartbeat never
 * wedges. A supervisor that was already spawned carries on by itself.
 */
export const dispatchBounded = async (store: Store, config: Config, task: Task, choice: WorkerChoice, prompt: string | null): Promise<ActionRecord> => {
  const started = performance.now();
  const base = { type: 'action' as const, action: 'dispatch' as const, slug: task.slug };
  const done = (fields: Partial<ActionRecord>): ActionRecord => ({ ...base, result: 'failed', ...fields, duration_ms: Math.round(performance.now() - started), ts: nowIso() });
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<ActionRecord>((resolve) => {
    timer = setTimeout(() => resolve(done({ result: 'timeout', message: `no start within ${config.dispatchTimeoutMs / 1000} s` })), config.dispatchTimeoutMs);
  });
  const attempt = startChain(
    store,
    config,
    { slug: task.slug, prompt, choice, task, requestedBy: 'hb-tick', respectHold: true },
    { waitMs: Math.max(0, config.dispatchTimeoutMs - 100) },
  ).then(
    (record) => done({ result: record.result, run_id: record.run_id, worker_pid: record.worker_pid }),
    (error) => done({ result: error instanceof ConflictError ? 'conflict' : error instanceof HeldError ? 'held' : error instanceof LimitedError ? 'limited' : 'failed', message: (error as Error).message }),
  );
  try {
    return await Promise.race([attempt, limit]);
  } finally {
    clearTimeout(timer);
  }
};
