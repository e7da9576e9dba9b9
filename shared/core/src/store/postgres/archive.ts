import type { StatusRecord } from '../../status/schema.js';
import type { ArchiveOutcome } from '../store.js';
import type { Db } from './db.js';
import { statusFromRow } from './status-doc.js';

/**
 * Moves a finished task out of the live tables under its row lock, when `check` finds
 * no reason to leave it: the status goes to archived_status, the history rows are
 * flagged archived. The row itself stays with its fence (status NULL, listed nowhere),
 * so a later claim of the same slug still takes a fence above every earlier one.
 */
export const archiveRows = (db: Db, statusName: (slug: string) => string, slug: string, check: (status: StatusRecord | undefined) => string | undefined): Promise<ArchiveOutcome> => {
  const S = db.target.s;
  return db.transaction(`task ${slug}: archiving`, async (tx) => {
    const [row] = await tx.q(`SELECT status, fence FROM ${S}.task WHERE slug = $1 FOR UPDATE`, [slug]);
    const status = statusFromRow(statusName(slug), row?.status);
    const reason = check(status);
    if (reason !== undefined) return { archived: false, moved: [], reason };
    const moved: string[] = [];
    const flagged = await tx.q(`UPDATE ${S}.history SET archived = true WHERE slug = $1 AND NOT archived RETURNING id`, [slug]);
    if (flagged.length) moved.push(`${db.target.schema}.history/${slug}`);
    if (status) {
      await tx.q(`INSERT INTO ${S}.archived_status (slug, status, fence) SELECT slug, status, fence FROM ${S}.task WHERE slug = $1`, [slug]);
      await tx.q(`UPDATE ${S}.task SET status = NULL, updated_at = now() WHERE slug = $1`, [slug]);
      moved.push(`${db.target.schema}.task/${slug}`);
    }
    return { archived: true, moved };
  });
};
