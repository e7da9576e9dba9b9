import { writeFileAtomic } from '../fsx/atomic-write.js';
import { ensureStateDir } from '../fsx/state-dir.js';
import { heartbeatPath } from '../paths/state-paths.js';
import { CLASSES, type TaskClass } from './classify.js';

export interface HeartbeatSnapshot {
  type: 'snapshot';
  started_at: string;
  finished_at: string;
  duration_ms: number;
  pid: number;
  dry_run: boolean;
  /** Set when another tick held the tick lock: nothing was dispatched. */
  skipped?: string;
  counts: Record<TaskClass, number>;
  dispatched: number;
  /** Workers alive when the tick planned (starting, running or orphaned). */
  active?: number;
  /** --max-active, when set. */
  max_active?: number;
  /** With --max-active-per-host: the workers alive on this host, and its cap. */
  active_here?: number;
  max_active_per_host?: number;
  /** Accounts under a rate or usage limit: no task is sent to them until `until`. */
  limits?: { worker: string; account: string; until: string; slug: string; kind: string }[];
  max_dispatches_per_cycle: number;
  tasks: { slug: string; class: TaskClass; reason: string; until?: string }[];
  actions: Record<string, unknown>[];
}

export const emptyCounts = (): Record<TaskClass, number> => Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<TaskClass, number>;

/** heartbeat.json: the last tick's snapshot, replaced whole. */
export const writeHeartbeat = (stateDir: string, snapshot: HeartbeatSnapshot): void => {
  ensureStateDir(stateDir);
  writeFileAtomic(heartbeatPath(stateDir), `${JSON.stringify(snapshot, null, 2)}\n`);
};
