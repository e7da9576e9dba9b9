import type { HeartbeatSnapshot } from '../../heartbeat/snapshot.js';
import type { HistoryRead } from '../../history/read-history.js';
import type { ActiveLimit } from '../../limits/account-limits.js';
import type { StatusRecord } from '../../status/schema.js';
import type { ArchiveOutcome, HousekeepingNote, LeaseApi, Store, StoreChange, StoreWatch, StoreWatchOptions, TaskEvent, TaskSection } from '../store.js';
import { archiveRows } from './archive.js';
import { Db } from './db.js';
import { readHeartbeatRow, writeHeartbeatRow } from './heartbeat.js';
import { appendHistoryRow, readHistoryRows } from './history.js';
import { activeLimitRows, clearLimitRow, recordLimitRow } from './limits.js';
import { runSection } from './section.js';
import { statusFromRow } from './status-doc.js';
import { withAdvisoryTickLock } from './tick-lock.js';
import { importTaskRows } from './import-task.js';
import { LEASE_COLUMNS, leaseApi, leaseTtlMs, withLease } from './lease.js';
import { parsePgUrl, type PgTarget } from './url.js';
import { watchNotifications } from './watch.js';

/**
 * A team's shared store on PostgreSQL (docs/store.md): the same semantics as the file
 * store, with a task's row lock inside one transaction for its critical section, the
 * fence as a column, history in an append-only table, LISTEN/NOTIFY for changes, an
 * advisory lock for the tick. Each concern is in its own file beside this one.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly describe: string;
  readonly spec: string;
  private readonly db: Db;
  private readonly target: PgTarget;
  private readonly watches = new Set<StoreWatch>();

  /** Several hosts: a live chain's lease (lease.ts, docs/fleet.md). */
  readonly lease: LeaseApi;
  readonly leaseMs: number;

  constructor(url: string) {
    this.target = parsePgUrl(url);
    this.describe = this.target.describe;
    this.spec = this.target.spec;
    this.db = new Db(this.target);
    this.leaseMs = leaseTtlMs();
    this.lease = leaseApi(this.db, this.leaseMs);
  }

  /** The server answers, the login works and the schema is current (migrated if behind). */
  async prepare(_options: { write: boolean }): Promise<void> {
    await this.db.prepare();
  }

  withTask<T>(slug: string, fn: (section: TaskSection) => Promise<T> | T): Promise<T> {
    return runSection(this.db, this, slug, undefined, fn);
  }

  withOwnedTask<T>(slug: string, fence: number, fn: (section: TaskSection & { status: StatusRecord }) => Promise<T> | T): Promise<T> {
    return runSection(this.db, this, slug, fence, fn as (section: TaskSection) => Promise<T> | T);
  }

  statusName(slug: string): string {
    return `${this.describe}#${this.target.schema}.task/${slug}`;
  }

  historyName(slug: string): string {
    return `${this.describe}#${this.target.schema}.history/${slug}`;
  }

  async readStatus(slug: string): Promise<StatusRecord | undefined> {
    const [row] = await this.db.query(`task ${slug}: reading its status`, `SELECT status, ${LEASE_COLUMNS} FROM ${this.target.s}.task WHERE slug = $1`, [slug]);
    return withLease(statusFromRow(this.statusName(slug), row?.status), row);
  }

  async listSlugs(): Promise<string[]> {
    const rows = await this.db.query('listing tasks', `SELECT slug FROM ${this.target.s}.task WHERE status IS NOT NULL ORDER BY slug COLLATE "C"`);
    return rows.map((r) => String(r.slug));
  }

  async readAllStatuses(): Promise<Iterable<{ slug: string; status?: StatusRecord; error?: unknown }>> {
    const rows = await this.db.query('reading every status', `SELECT slug, status, ${LEASE_COLUMNS} FROM ${this.target.s}.task WHERE status IS NOT NULL ORDER BY slug COLLATE "C"`);
    return rows.map((row) => {
      const slug = String(row.slug);
      try {
        const status = withLease(statusFromRow(this.statusName(slug), row.status), row);
        return status ? { slug, status } : { slug };
      } catch (error) {
        return { slug, error };
      }
    });
  }

  appendHistory(slug: string, event: TaskEvent): Promise<void> {
    return appendHistoryRow(this.db, slug, event);
  }

  readHistory(slug: string): Promise<HistoryRead> {
    return readHistoryRows(this.db, slug);
  }

  watch(onChange: (change: StoreChange) => void, options: StoreWatchOptions): StoreWatch {
    const watch = watchNotifications(this.target, onChange, options);
    this.watches.add(watch);
    return {
      close: () => {
        this.watches.delete(watch);
        watch.close();
      },
    };
  }

  withTickLock<T>(fn: (held: { assertHeld(): void }) => Promise<T>): Promise<T> {
    return withAdvisoryTickLock(this.db, fn);
  }

  writeHeartbeat(snapshot: HeartbeatSnapshot): Promise<void> {
    return writeHeartbeatRow(this.db, snapshot);
  }

  readHeartbeat(): Promise<HeartbeatSnapshot | undefined> {
    return readHeartbeatRow(this.db);
  }

  activeLimits(): Promise<ActiveLimit[]> {
    return activeLimitRows(this.db);
  }

  recordLimit(account: string, entry: { worker: string; slug: string; kind: string; wait_ms: number }): Promise<void> {
    return recordLimitRow(this.db, account, entry);
  }

  clearLimit(account: string): Promise<void> {
    return clearLimitRow(this.db, account);
  }

  /** Nothing to tidy: no lock outlives its connection, and a fence is a column. */
  async housekeep(slugs: string[] | 'all', _options: { dryRun: boolean }): Promise<{ slugs: string[]; notes: Map<string, HousekeepingNote[]> }> {
    return { slugs: slugs === 'all' ? await this.listSlugs() : slugs, notes: new Map() };
  }

  archive(slug: string, check: (status: StatusRecord | undefined) => string | undefined): Promise<ArchiveOutcome> {
    return archiveRows(this.db, (s) => this.statusName(s), slug, check);
  }

  importTask(slug: string, status: StatusRecord, history: readonly Record<string, unknown>[]): Promise<void> {
    return importTaskRows(this.db, this, slug, status, history);
  }

  async close(): Promise<void> {
    for (const watch of [...this.watches]) watch.close();
    await this.db.close();
  }
}

/** Opens a PostgreSQL store; nothing is contacted until it is first used. */
export const openPostgresStore = async (url: string): Promise<Store> => new PostgresStore(url);
