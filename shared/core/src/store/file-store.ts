import path from 'node:path';
import { FenceLostError } from '../errors/state-errors.js';
import { checkStateDir, ensureStateDir } from '../fsx/state-dir.js';
import fs from 'node:fs';
import { appendStateFile, openStateFile, readStateFile } from '../fsx/safe-open.js';
import { writeFileAtomic } from '../fsx/atomic-write.js';
import { ConflictError } from '../errors/errors.js';
import type { HeartbeatSnapshot } from '../heartbeat/snapshot.js';
import { writeHeartbeat } from '../heartbeat/snapshot.js';
import { appendHistory } from '../history/append-history.js';
import { readHistory } from '../history/read-history.js';
import { activeLimits, clearLimit, recordLimit } from '../limits/account-limits.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { fenceSuperseded, nextFence, takeFence } from '../lock/fence.js';
import { FILE_PREFIX, STATUS_SUFFIX, heartbeatPath, slugPaths } from '../paths/state-paths.js';
import { validateSlug } from '../paths/slug.js';
import { hostId } from '../liveness/host-id.js';
import { readStatus, readStatusIfExists } from '../status/read-status.js';
import type { StatusRecord } from '../status/schema.js';
import { writeStatus } from '../status/write-status.js';
import { listSlugs } from './list-slugs.js';
import { housekeepFiles } from './file-housekeeping.js';
import { archiveFiles } from './file-archive.js';
import { watchStatusFiles } from './file-watch.js';
import type { ArchiveOutcome, HousekeepingNote, Store, StoreChange, StoreWatch, StoreWatchOptions, TaskEvent, TaskSection } from './store.js';

/**
 * The default store: one directory of files, no server. Each task has a status file
 * (replaced whole by rename), an append-only history, a proper-lockfile lock directory
 * for its critical section and exclusive-create fence files that decide claims even
 * when two processes both believe they hold the lock (lock/fence.ts).
 */
export class FileStore implements Store {
  readonly kind = 'file';
  readonly spec = 'file';
  readonly describe: string;

  constructor(readonly stateDir: string) {
    this.describe = stateDir;
  }

  async prepare(options: { write: boolean }): Promise<void> {
    if (options.write) ensureStateDir(this.stateDir);
    else checkStateDir(this.stateDir);
  }

  private section<T>(slug: string, owned: number | undefined, fn: (section: TaskSection) => Promise<T> | T): Promise<T> {
    const paths = slugPaths(this.stateDir, slug);
    return withCriticalSection(paths.lock, async (held) => {
      const status = owned === undefined ? readStatusIfExists(paths.status) : readStatus(paths.status);
      if (owned !== undefined && (status?.fence !== owned || fenceSuperseded(paths, owned))) throw new FenceLostError(slug, owned);
      const events: TaskEvent[] = [];
      let wrote = false;
      let fence: number | undefined;
      const section: TaskSection = {
        slug,
        status,
        assertHeld: () => held.assertHeld(),
        history: (event) => {
          events.push(event);
        },
        write: async (record: StatusRecord) => {
          held.assertHeld();
          // A claim's fence file decides, not the lock: if a later claim took the next
          // number meanwhile, this one writes nothing.
          if (fence !== undefined && fenceSuperseded(paths, fence)) throw new FenceLostError(slug, fence);
          // The history this write will be told in is checked (and created owner-only)
          // first: a link or a foreign file there refuses the write, not the story after it.
          if (!wrote) fs.closeSync(openStateFile(paths.history, 'append'));
          wrote = true;
          return writeStatus(paths.status, record);
        },
        takeFence: async () => {
          // Read again: a holder frozen past the stale time (its lock taken over) must
          // see the claim made meanwhile, not count from the status it read before.
          const current = readStatusIfExists(paths.status);
          if ((current?.fence ?? 0) !== (status?.fence ?? 0)) return undefined;
          const n = nextFence(paths, current?.fence ?? 0);
          held.assertHeld();
          if (n === undefined || !takeFence(paths, n) || fenceSuperseded(paths, n)) return undefined;
          fence = n;
          return n;
        },
      };
      // History follows the writes it tells of, still under the lock, so two writers'
      // stories keep the order of their statuses. Nothing is told of writes never made.
      const flush = () => {
        for (const event of events) appendHistory(paths.history, { ...event, slug, host: hostId() });
      };
      try {
        const result = await fn(section);
        flush();
        return result;
      } catch (error) {
        if (wrote) flush();
        throw error;
      }
    });
  }

  withTask<T>(slug: string, fn: (section: TaskSection) => Promise<T> | T): Promise<T> {
    return this.section(slug, undefined, fn);
  }

  withOwnedTask<T>(slug: string, fence: number, fn: (section: TaskSection & { status: StatusRecord }) => Promise<T> | T): Promise<T> {
    return this.section(slug, fence, fn as (section: TaskSection) => Promise<T> | T);
  }

  statusName(slug: string): string {
    return slugPaths(this.stateDir, slug).status;
  }

  historyName(slug: string): string {
    return slugPaths(this.stateDir, slug).history;
  }

  async readStatus(slug: string): Promise<StatusRecord | undefined> {
    return readStatusIfExists(slugPaths(this.stateDir, slug).status);
  }

  async listSlugs(): Promise<string[]> {
    return listSlugs(this.stateDir);
  }

  async readAllStatuses(): Promise<Iterable<{ slug: string; status?: StatusRecord; error?: unknown }>> {
    // One path built per file, not a task's whole set (10,000 statuses in a snapshot).
    const prefix = `${this.stateDir}${path.sep}${FILE_PREFIX}`;
    // Each file is read as the caller comes to it: a snapshot lets go of a status once its
    // record is written, instead of holding all of them through the garbage collector's passes.
    function* read(slugs: string[]) {
      for (const slug of slugs) {
        try {
          validateSlug(slug);
          const status = readStatusIfExists(`${prefix}${slug}${STATUS_SUFFIX}`);
          yield status ? { slug, status } : { slug };
        } catch (error) {
          yield { slug, error };
        }
      }
    }
    return read(listSlugs(this.stateDir));
  }

  async appendHistory(slug: string, event: TaskEvent): Promise<void> {
    appendHistory(slugPaths(this.stateDir, slug).history, { ...event, slug, host: hostId() });
  }

  async readHistory(slug: string) {
    return readHistory(slugPaths(this.stateDir, slug).history);
  }

  watch(onChange: (change: StoreChange) => void, options: StoreWatchOptions): StoreWatch {
    return watchStatusFiles(this.stateDir, onChange, options);
  }

  withTickLock<T>(fn: (held: { assertHeld(): void }) => Promise<T>): Promise<T> {
    // retries: 0 — a second tick does not wait its turn, it reports and skips.
    return withCriticalSection(path.join(this.stateDir, 'heartbeat.lock'), fn, { retries: 0 });
  }

  async writeHeartbeat(snapshot: HeartbeatSnapshot): Promise<void> {
    writeHeartbeat(this.stateDir, snapshot);
  }

  async readHeartbeat(): Promise<HeartbeatSnapshot | undefined> {
    const text = readStateFile(heartbeatPath(this.stateDir));
    return text === undefined ? undefined : (JSON.parse(text) as HeartbeatSnapshot);
  }

  async activeLimits() {
    return activeLimits(this.stateDir);
  }

  recordLimit(account: string, entry: { worker: string; slug: string; kind: string; wait_ms: number }): Promise<void> {
    return recordLimit(this.stateDir, account, entry);
  }

  clearLimit(account: string): Promise<void> {
    return clearLimit(this.stateDir, account);
  }

  housekeep(slugs: string[] | 'all', options: { dryRun: boolean }): Promise<{ slugs: string[]; notes: Map<string, HousekeepingNote[]> }> {
    return housekeepFiles(this.stateDir, slugs, options);
  }

  archive(slug: string, check: (status: StatusRecord | undefined) => string | undefined): Promise<ArchiveOutcome> {
    return archiveFiles(this.stateDir, slug, check);
  }

  async importTask(slug: string, status: StatusRecord, history: readonly Record<string, unknown>[]): Promise<void> {
    const paths = slugPaths(this.stateDir, slug);
    await withCriticalSection(paths.lock, (held) => {
      if (readStatusIfExists(paths.status)) throw new ConflictError(`task ${slug} is already in ${this.describe}: not copied over it`, { slug });
      held.assertHeld();
      // The history first: a copy cut short leaves no status without its story.
      if (history.length) appendStateFile(paths.history, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
      const { lease: _seen, ...doc } = status;
      writeFileAtomic(paths.status, `${JSON.stringify(doc)}\n`);
    });
  }

  async close(): Promise<void> {}
}
