import { ConflictError } from '../../errors/errors.js';
import type { StatusRecord } from '../../status/schema.js';
import type { Db } from './db.js';
import { leaseOnWrite } from './lease.js';

/**
 * One task copied in (store/copy-store.ts): its status and fence as they are, its
 * history rows in order, in one transaction under the task's row lock; refused when the
 * task already has a status here.
 */
export const importTaskRows = (db: Db, names: { describe: string; leaseMs: number }, slug: string, status: StatusRecord, history: readonly Record<string, unknown>[]): Promise<void> => {
  const S = db.target.s;
  const { lease: _seen, ...doc } = status;
  return db.transaction(`task ${slug}: copying it in`, async (tx) => {
    await tx.q(`INSERT INTO ${S}.task (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING`, [slug]);
    const [row] = await tx.q(`SELECT status IS NOT NULL AS has FROM ${S}.task WHERE slug = $1 FOR UPDATE`, [slug]);
    if (row?.has === true) throw new ConflictError(`task ${slug} is already in ${names.describe}: not copied over it`, { slug });
    const lease = leaseOnWrite(doc as StatusRecord, names.leaseMs);
    await tx.q(`UPDATE ${S}.task SET status = $2::json, fence = $3, updated_at = now(), lease_expires_at = ${lease.sql.replace('$LEASE', '$4')} WHERE slug = $1`, [
      slug,
      JSON.stringify(doc),
      doc.fence,
      ...(lease.param === null ? [] : [lease.param]),
    ]);
    if (history.length) {
      await tx.q(`INSERT INTO ${S}.history (slug, record) SELECT $1, e.record FROM json_array_elements($2::json) WITH ORDINALITY AS e(record, n) ORDER BY e.n`, [slug, JSON.stringify(history)]);
    }
  });
};
