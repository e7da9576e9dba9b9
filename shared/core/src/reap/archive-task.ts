import fs from 'node:fs';
import path from 'node:path';
import { DIR_MODE } from '../fsx/atomic-write.js';
import { withCriticalSection } from '../lock/critical-section.js';
import type { SlugPaths } from '../paths/state-paths.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import { readStatusIfExists } from '../status/read-status.js';
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
export const archiveTask = async (paths: SlugPaths, options: { days: number; dryRun: boolean }): Promise<ArchiveRecord> => {
  const record = (action: ArchiveRecord['action'], reason: string, moved: string[] = []): ArchiveRecord => ({ type: 'archive', slug: paths.slug, action, reason, moved, dry_run: options.dryRun, ts: nowIso() });
  const status = readStatusIfExists(paths.status);
  if (!status) return record('skipped', 'no status');
  if (isHolding(deriveDispatchState(status))) return record('skipped', 'a worker is alive');
  if (status.followups.length > 0) return record('skipped', `${status.followups.length} follow-up(s) still queued`);
  const ended = parseIsoMs(status.ended_at) ?? parseIsoMs(status.updated_at);
  const ageDays = ended === undefined ? 0 : (nowMs() - ended) / 86_400_000;
  if (ageDays < options.days) return record('skipped', `ended ${ageDays.toFixed(1)} days ago`);
  const dir = path.dirname(paths.status);
  const files = [paths.status, paths.history, paths.log, `${paths.log}.1`].filter((f) => fs.existsSync(f));
  const moved = files.map((f) => path.basename(f));
  if (options.dryRun) return record('would_archive', `ended ${ageDays.toFixed(1)} days ago`, moved);
  return withCriticalSection(paths.lock, () => {
    const now = readStatusIfExists(paths.status);
    if (!now || now.fence !== status.fence || isHolding(deriveDispatchState(now))) return record('skipped', 'it changed meanwhile: left alone');
    const archive = path.join(dir, 'archive');
    fs.mkdirSync(archive, { recursive: true, mode: DIR_MODE });
    // The status last: while it is there, the task is still where the tools look for it.
    for (const file of [...files.filter((f) => f !== paths.status), paths.status]) fs.renameSync(file, path.join(archive, path.basename(file)));
    return record('archived', `ended ${ageDays.toFixed(1)} days ago`, moved);
  });
};
