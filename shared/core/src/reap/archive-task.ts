import fs from 'node:fs';
import path from 'node:path';
import { DIR_MODE } from '../fsx/atomic-write.js';
import { runLogPath } from '../paths/state-paths.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import type { Store } from '../store/store.js';
import { nowIso, nowMs, parseIsoMs } from '../time/clock.js';

export interface ArchiveRecord {
  type: 'archive';
  slug: string;
  action: 'archived' | 'would_archive' | 'skipped';
  reason: string;
  moved: string[];
  dry_run: boolean;
  ts: string;
}

/**
 * Moves a task's state files (status, history, logs) into `<state dir>/archive/` when
 * its last run ended more than `days` ago: never a live task, never one with follow-ups
 * still queued. Renames within one file system: nothing is copied or lost.
 */
export const archiveTask = async (store: Store, stateDir: string, slug: string, options: { days: number; dryRun: boolean }): Promise<ArchiveRecord> => {
  const record = (action: ArchiveRecord['action'], reason: string, moved: string[] = []): ArchiveRecord => ({ type: 'archive', slug, action, reason, moved, dry_run: options.dryRun, ts: nowIso() });
  const status = await store.readStatus(slug);
  if (!status) return record('skipped', 'no status');
  if (isHolding(deriveDispatchState(status))) return record('skipped', 'a worker is alive');
  if (status.followups.length > 0) return record('skipped', `${status.followups.length} follow-up(s) still queued`);
  const ended = parseIsoMs(status.ended_at) ?? parseIsoMs(status.updated_at);
  const ageDays = ended === undefined ? 0 : (nowMs() - ended) / 86_400_000;
  if (ageDays < options.days) return record('skipped', `ended ${ageDays.toFixed(1)} days ago`);
  const log = runLogPath(stateDir, slug);
  const logs = [log, `${log}.1`].filter((f) => fs.existsSync(f));
  if (options.dryRun) return record('would_archive', `ended ${ageDays.toFixed(1)} days ago`, logs.map((f) => path.basename(f)));
  // The store moves the status and history under the task's lock; the logs follow.
  const archive = path.join(stateDir, 'archive');
  fs.mkdirSync(archive, { recursive: true, mode: DIR_MODE });
  const outcome = await store.archive(slug, (now) =>
    !now || now.fence !== status.fence || isHolding(deriveDispatchState(now)) ? 'it changed meanwhile: left alone' : undefined,
  );
  if (!outcome.archived) return record('skipped', outcome.reason ?? 'left alone');
  for (const file of logs) fs.renameSync(file, path.join(archive, path.basename(file)));
  return record('archived', `ended ${ageDays.toFixed(1)} days ago`, [...outcome.moved, ...logs.map((f) => path.basename(f))]);
};
