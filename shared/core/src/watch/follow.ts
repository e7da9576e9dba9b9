import type { ErrorRecord } from '../ndjson/error-record.js';
import type { Store } from '../store/store.js';
import { readSnapshot } from './read-snapshot.js';
import type { SnapshotRecord } from './snapshot-record.js';

export type WatchRecord = SnapshotRecord | ErrorRecord;

export interface FollowOptions {
  /** Only these slugs; otherwise every dispatch in the store, new ones as they appear. */
  slugs?: string[];
  /** Narrows the slugs followed; asked again for every candidate, so it may change. */
  wanted?: (slug: string) => boolean;
  /** Called once, after the first record of every slug. */
  onReady?: () => void;
  /** The slow liveness re-check that catches deaths no status change announces. */
  livenessMs: number;
  signal: AbortSignal;
}

/** Between a run's end and the supervisor leaving: re-checked often, it lasts milliseconds. */
const SETTLING_MS = 250;

// Fields that change without anything happening to the dispatch.
const changeKey = (r: WatchRecord): string => {
  const { ts: _ts, last_output_age_s: _age, ...rest } = r as SnapshotRecord;
  return JSON.stringify(rest);
};

interface Seen {
  key: string;
  /** Done: nothing but a status change can alter it, so the periodic checks skip it. */
  settled: boolean;
  settling: boolean;
}

/**
 * Calls `onRecord` with every dispatch's record now, then again whenever it changes.
 * Changes arrive through the store's watch (fs.watch on the state directory, or
 * LISTEN on PostgreSQL) and only the changed task is read again; a slow tick re-checks
 * the liveness of the dispatches that are not done, which is how deaths are seen.
 * Idle, with every dispatch done, it costs a blocked read and an empty tick.
 */
export const followSnapshots = (store: Store, stateDir: string, onRecord: (r: WatchRecord) => void, options: FollowOptions): Promise<void> =>
  new Promise((resolve) => {
    const seen = new Map<string, Seen>();
    const fixed = options.slugs ? new Set(options.slugs) : undefined;
    const wanted = (slug: string) => (!fixed || fixed.has(slug)) && (options.wanted?.(slug) ?? true);
    const pending = new Set<string>();
    let flushTimer: NodeJS.Timeout | undefined;
    let settlingTimer: NodeJS.Timeout | undefined;
    let stopped = false;
    // Reads are serialized, so records of one task are reported in the order they were read.
    let queue: Promise<void> = Promise.resolve();
    const later = (work: () => Promise<void>) => {
      queue = queue.then(work).catch(() => undefined);
      return queue;
    };

    const check = async (slug: string) => {
      if (stopped) return;
      const record = await readSnapshot(store, stateDir, slug);
      if (stopped) return;
      const key = changeKey(record);
      const done = record.type === 'status' && record.done;
      const settling = record.type === 'status' && !done && !['starting', 'running', 'orphaned'].includes(record.dispatch_state);
      const before = seen.get(slug);
      seen.set(slug, { key, settled: done, settling });
      if (settling) armSettling();
      if (before?.key !== key) onRecord(record);
    };
    const candidates = async () => [...(fixed ?? (await store.listSlugs()))].filter(wanted);

    const armSettling = () => {
      settlingTimer ??= setTimeout(() => {
        settlingTimer = undefined;
        void later(async () => {
          for (const [slug, s] of seen) if (s.settling && wanted(slug)) await check(slug);
        });
      }, SETTLING_MS);
    };
    const flush = () => {
      flushTimer = undefined;
      const slugs = [...pending];
      pending.clear();
      void later(async () => {
        for (const slug of slugs) if (wanted(slug)) await check(slug);
      });
    };
    const rescan = () =>
      later(async () => {
        for (const slug of await candidates()) await check(slug);
      });

    // The watch starts before the first read, so no change falls between the two.
    const watch = store.watch(
      (change) => {
        if (change.slug === undefined) {
          void rescan(); // the store could not say which task
          return;
        }
        pending.add(change.slug);
        // Coalesce the burst of notices one write makes.
        flushTimer ??= setTimeout(flush, 10);
      },
      {
        pollMs: options.livenessMs,
        onPoll: () =>
          void later(async () => {
            for (const [slug, s] of seen) if (!s.settled && wanted(slug)) await check(slug);
          }),
      },
    );
    void rescan().then(() => options.onReady?.());

    const stop = () => {
      stopped = true;
      watch.close();
      if (flushTimer) clearTimeout(flushTimer);
      if (settlingTimer) clearTimeout(settlingTimer);
      void queue.then(() => resolve());
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
