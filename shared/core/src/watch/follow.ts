import fs from 'node:fs';
import { slugOfStatusFile } from '../paths/state-paths.js';
import type { ErrorRecord } from '../ndjson/error-record.js';
import { listSlugs } from './list-slugs.js';
import { readSnapshot } from './read-snapshot.js';
import type { SnapshotRecord } from './snapshot-record.js';

export type WatchRecord = SnapshotRecord | ErrorRecord;

export interface FollowOptions {
  /** Only these slugs; all dispatches in the directory (as they appear) otherwise. */
  slugs?: string[];
  /** The slow liveness re-check that catches deaths no file change announces. */
  livenessMs: number;
  signal: AbortSignal;
}

// Volatile fields that change without anything happening to the dispatch.
const changeKey = (r: WatchRecord): string => {
  const { ts: _ts, last_output_age_s: _age, ...rest } = r as SnapshotRecord;
  return JSON.stringify(rest);
};

/**
 * Calls `onRecord` with every dispatch's record now, then again whenever it changes:
 * woken by fs.watch on the state directory (a status write is a rename into place),
 * plus a slow periodic re-check for deaths. Idle, it costs a blocked inotify read.
 */
export const followSnapshots = (stateDir: string, onRecord: (r: WatchRecord) => void, options: FollowOptions): Promise<void> =>
  new Promise((resolve) => {
    const last = new Map<string, string>();
    const wanted = options.slugs ? new Set(options.slugs) : undefined;
    const pending = new Set<string>();
    let flushTimer: NodeJS.Timeout | undefined;

    const check = (slug: string) => {
      const record = readSnapshot(stateDir, slug);
      const key = changeKey(record);
      if (last.get(slug) === key) return;
      last.set(slug, key);
      onRecord(record);
    };
    const all = () => options.slugs ?? listSlugs(stateDir);
    const flush = () => {
      flushTimer = undefined;
      for (const slug of pending) check(slug);
      pending.clear();
    };

    let watcher: fs.FSWatcher | undefined;
    const startWatch = () => {
      if (watcher) return;
      try {
        watcher = fs.watch(stateDir, (_event, name) => {
          const slug = name ? slugOfStatusFile(String(name)) : undefined;
          if (slug === undefined || (wanted && !wanted.has(slug))) return;
          pending.add(slug);
          // Coalesce the burst of events one atomic write makes.
          flushTimer ??= setTimeout(flush, 10);
        });
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        watcher = undefined; // the directory does not exist yet; the slow tick retries
      }
    };

    const tick = () => {
      startWatch();
      for (const slug of all()) check(slug);
    };
    const interval = setInterval(tick, options.livenessMs);
    tick();

    const stop = () => {
      clearInterval(interval);
      if (flushTimer) clearTimeout(flushTimer);
      watcher?.close();
      resolve();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
