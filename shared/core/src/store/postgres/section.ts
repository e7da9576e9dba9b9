import { FenceLostError, StatusFileError } from '../../errors/state-errors.js';
import { LockLostError } from '../../errors/errors.js';
import type { StatusRecord } from '../../status/schema.js';
import { nowIso } from '../../time/clock.js';
import type { TaskEvent, TaskSection } from '../store.js';
import type { Db, Tx } from './db.js';
import { historyRecord } from './history.js';
import { statusFromRow } from './status-doc.js';
import { LEASE_COLUMNS, withLease, writeStatusRow } from './lease.js';

export interface SectionNames {
  statusName(slug: string): string;
  /** How long a live chain's lease lasts (lease.ts). */
  readonly leaseMs: number;
}

/**
 * A task's critical section: one transaction holding the task's row lock. A slug seen
 * for the first time gets an empty row first (status NULL, not listed anywhere), so two
 * first claims of it wait for each other like any two claims. The fence is the row's
 * column: a claim takes fence + 1 under the lock, so exactly one of any number of racing
 * claims gets each number. History is inserted after `fn`, in call order, still under
 * the lock: ids follow commit order. `fn`'s error rolls everything back.
 */
export const runSection = <T>(
  db: Db,
  names: SectionNames,
  slug: string,
  owned: number | undefined,
  fn: (section: TaskSection) => Promise<T> | T,
): Promise<T> => {
  const S = db.target.s;
  return db.transaction(`task ${slug}`, async (tx: Tx) => {
    await tx.q(`INSERT INTO ${S}.task (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING`, [slug]);
    const [row] = await tx.q(`SELECT status, fence, ${LEASE_COLUMNS} FROM ${S}.task WHERE slug = $1 FOR UPDATE`, [slug]);
    const status = withLease(statusFromRow(names.statusName(slug), row?.status), row);
    const rowFence = Number(row?.fence ?? 0);
    if (owned !== undefined) {
      if (!status) throw new StatusFileError(names.statusName(slug), 'does not exist', 'status_missing');
      if (status.fence !== owned || rowFence !== owned) throw new FenceLostError(slug, owned);
    }
    const events: TaskEvent[] = [];
    const assertHeld = () => {
      if (tx.failed !== undefined) throw new LockLostError(`task ${slug}: the connection to ${db.target.describe} was lost; the section is no longer held`, { slug });
    };
    const section: TaskSection = {
      slug,
      status,
      assertHeld,
      history: (event) => {
        events.push(event);
      },
      write: async (record: StatusRecord) => {
        assertHeld();
        return writeStatusRow(tx, S, slug, { ...record, updated_at: nowIso() }, names.leaseMs);
      },
      takeFence: async () => {
        assertHeld();
        const [taken] = await tx.q(`UPDATE ${S}.task SET fence = fence + 1 WHERE slug = $1 RETURNING fence`, [slug]);
        return Number(taken?.fence);
      },
    };
    const result = await fn(section);
    if (events.length) {
      await tx.q(
        `INSERT INTO ${S}.history (slug, record) SELECT $1, e.record FROM json_array_elements($2::json) WITH ORDINALITY AS e(record, n) ORDER BY e.n`,
        [slug, JSON.stringify(events.map((event) => historyRecord(slug, event)))],
      );
    }
    return result;
  });
};
