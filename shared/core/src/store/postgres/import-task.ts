import { ConflictError } from '../../errors/errors.js';
import type { StatusRecord } from '../../status/schema.js';
import type { Db } from './db.js';
import { writeStatusRow } from './lease.js';

/**
 * One task copied in (store/copy-store.ts): its status and fence as they are, its
 * history rows in order, in one transaction under the task's row lock; refused when the
 * task already has a status here.
 */
export const importTaskRows = (db: Db, names: { describe: string; leaseMs: number }, slug: string, status: StatusRecord, history: readonly Record<string, unknown>[]): Promise<void> => {
  const S = db.target.s;
  return db.transaction(`task ${slug}: copying it in`, async (tx) => {
    await tx.q(`INSERT INTO ${S}.task (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING`, [slug]);
    const [row] = await tx.q(`SELECT status IS NOT NULL AS has FROM ${S}.task WHERE slug = $1 FOR UPDATE`, [slug]);
    if (row?.has === true) throw new ConflictError(`task ${slug} is already in ${names.describe}: not copied over it`, { slug });
    await writeStatusRow(tx, S, slug, status, names.leaseMs);
    if (history.length) {
      await tx.q(`INSERT INTO ${S}.history (slug, record) SELECT $1, e.record FROM json_array_elements($2::json) WITH ORDINALITY AS e(record, n) ORDER BY e.n`, [slug, JSON.stringify(history)]);
    }
  });
};
