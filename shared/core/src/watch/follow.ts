import { watchPath } from '../fsx/watch-path.js';
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorRecord } from '../ndjson/error-record.js';
import { FILE_PREFIX, STATUS_SUFFIX, slugOfStatusFile } from '../paths/state-paths.js';
import { listSlugs } from './list-slugs.js';
import { readSnapshot } from './read-snapshot.js';
import type { SnapshotRecord } from './snapshot-record.js';

export type WatchRecord = SnapshotRecord | ErrorRecord;

export interface FollowOptions {
  /** Only these slugs; otherwise every dispatch in the directory, new ones as they appear. */
  slugs?: string[];
  /** Narrows the slugs followed; asked again for every candidate, so it may change. */
  wanted?: (slug: string) => boolean;
  /** Called once, after the first record of every slug. */
  onReady?: () => void;
  /** The slow liveness re-check that catches deaths no file change announces. */
  livenessMs: number;
  signal: AbortSignal;
}

/** Between a run's end and the supervisor leaving: re-checked often, it lasts milliseconds. */
const SETTLING_MS = 250;
/** A full stat-only rescan every this many liveness ticks: covers file systems whose events are lost. */
const RESCAN_TICKS = 15;

// Fields that change without anything happening to the dispatch.
const changeKey = (r: WatchRecord): string => {
  const { ts: _ts, last_output_age_s: _age, ...rest } = r as SnapshotRecord;
  return JSON.stringify(rest);
};

// Not validated here: a file named for a bad slug still gets its error record (readSnapshot).
const statusFile = (stateDir: string, slug: string) => path.join(stateDir, `${FILE_PREFIX}${slug}${STATUS_SUFFIX}`);

const fileSignature = (file: string): string => {
  let s: fs.Stats | undefined;
  try {
    s = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return 'unreadable';
  }
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'none';
};

interface Seen {
  key: string;
  signature: string;
  /** Done: nothing but a file change can alter it, so the periodic checks skip it. */
  settled: boolean;
  settling: boolean;
}

/**
 * Calls `onRecord` with every dispatch's record now, then again whenever it changes.
 * File changes arrive through fs.watch on the state directory (every status write is a
 * rename into place) and only the changed file is read again; a slow tick re-checks
 * the liveness of the dispatches that are not done, which is how deaths are seen.
 * Idle, with every dispatch done, it costs a blocked inotify read and an empty tick.
 */
export const followSnapshots = (stateDir: string, onRecord: (r: WatchRecord) => void, options: FollowOptions): Promise<void> =>
  new Promise((resolve) => {
    const seen = new Map<string, Seen>();
    const fixed = options.slugs ? new Set(options.slugs) : undefined;
    const wanted = (slug: string) => (!fixed || fixed.has(slug)) && (options.wanted?.(slug) ?? true);
    const pending = new Set<string>();
    let flushTimer: NodeJS.Timeout | undefined;
    let settlingTimer: NodeJS.Timeout | undefined;
    let stopped = false;

    const check = (slug: string) => {
      if (stopped) return;
      const signature = fileSignature(statusFile(stateDir, slug));
      const record = readSnapshot(stateDir, slug);
      const key = changeKey(record);
      const done = record.type === 'status' && record.done;
      const settling = record.type === 'status' && !done && !['starting', 'running', 'orphaned'].includes(record.dispatch_state);
      const before = seen.get(slug);
      seen.set(slug, { key, signature, settled: done, settling });
      if (settling) armSettling();
      if (before?.key !== key) onRecord(record);
    };
    const candidates = () => [...(fixed ?? listSlugs(stateDir))].filter(wanted);

    const armSettling = () => {
      settlingTimer ??= setTimeout(() => {
        settlingTimer = undefined;
        for (const [slug, s] of seen) if (s.settling && wanted(slug)) check(slug);
      }, SETTLING_MS);
    };
    const flush = () => {
      flushTimer = undefined;
      const slugs = [...pending];
      pending.clear();
      for (const slug of slugs) if (wanted(slug)) check(slug);
    };
    // Stat only: a file is read again when its inode, size or mtime moved.
    const rescan = () => {
      for (const slug of candidates()) {
        const s = seen.get(slug);
        if (!s || s.signature !== fileSignature(statusFile(stateDir, slug))) check(slug);
      }
    };

    const onChange = (name: string | undefined) => {
      const slug = name === undefined ? undefined : slugOfStatusFile(name);
      if (slug === undefined) {
        rescan(); // the kernel did not say which file
        return;
      }
      pending.add(slug);
      // Coalesce the burst of events one atomic write makes.
      flushTimer ??= setTimeout(flush, 10);
    };
    let ticks = 0;
    let blind = false;
    const tick = () => {
      ticks += 1;
      // Without a watch (no directory yet, or it failed), every tick rescans.
      if (blind || !watch.watching || ticks % RESCAN_TICKS === 0) rescan();
      blind = !watch.watching;
      for (const [slug, s] of seen) if (!s.settled && wanted(slug)) check(slug);
    };

    // The watcher starts before the first read, so no change falls between the two.
    // Logs, history and temp files are not status files: ignored.
    const watch = watchPath(stateDir, onChange, { names: (name) => slugOfStatusFile(name) !== undefined, pollMs: options.livenessMs, onPoll: tick });
    blind = !watch.watching;
    for (const slug of candidates()) check(slug);
    options.onReady?.();

    const stop = () => {
      stopped = true;
      watch.close();
      if (flushTimer) clearTimeout(flushTimer);
      if (settlingTimer) clearTimeout(settlingTimer);
      resolve();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
