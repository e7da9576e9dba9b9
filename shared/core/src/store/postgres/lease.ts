import { UsageError } from '../../errors/errors.js';
import type { StatusRecord } from '../../status/schema.js';
import type { LeaseApi } from '../store.js';
import type { Db, Tx } from './db.js';

const DEFAULT_SECONDS = 30;

/** TASK_MANAGER_LEASE_SECONDS (default 30): how long a chain's lease lasts unrenewed. */
export const leaseTtlMs = (env: Record<string, string | undefined> = process.env): number => {
  const raw = env.TASK_MANAGER_LEASE_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_SECONDS * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1 || n > 86_400) throw new UsageError(`TASK_MANAGER_LEASE_SECONDS must be a number of seconds from 1 to 86400, got ${JSON.stringify(raw)}`, { name: 'TASK_MANAGER_LEASE_SECONDS' });
  return Math.round(n * 1000);
};

const LIVE = new Set(['starting', 'running']);

/**
 * Writes a task's status document (never the `lease` a read saw) and its fence. A live
 * chain holds a lease: every write of a starting or running status sets it to the
 * database's now() + TTL, every other write ends it.
 */
export const writeStatusRow = async (tx: Tx, schema: string, slug: string, record: StatusRecord, ttlMs: number): Promise<StatusRecord> => {
  const { lease: _seen, ...doc } = record;
  await tx.q(
    `UPDATE ${schema}.task SET status = $2::json, fence = $3, updated_at = now(),
       lease_expires_at = CASE WHEN $4::bigint IS NULL THEN NULL ELSE now() + make_interval(secs => $4::double precision / 1000) END
     WHERE slug = $1`,
    [slug, JSON.stringify(doc), doc.fence, LIVE.has(doc.state) ? ttlMs : null],
  );
  return doc;
};

/** The status as read, with its lease as the database sees it now (never stored: `lease` is stripped on write). */
export const withLease = (status: StatusRecord | undefined, row: { lease_expires_at?: unknown; lease_live?: unknown } | undefined): StatusRecord | undefined => {
  if (!status || !LIVE.has(status.state)) return status;
  const at = row?.lease_expires_at;
  const expires = at instanceof Date ? at.toISOString() : typeof at === 'string' ? at : null;
  return { ...status, lease: { expires_at: expires, live: row?.lease_live === true } };
};

/** What a status read needs besides the document: the lease and whether it is in force. */
export const LEASE_COLUMNS = 'lease_expires_at, coalesce(lease_expires_at > now(), false) AS lease_live';

/**
 * The supervisor's renewal: extends the lease only if the fence is still the task's and
 * the lease has not expired (an expired one may already be another host's to take).
 */
export const leaseApi = (db: Db, ttlMs: number): LeaseApi => ({
  ttlMs,
  // Longer than stopping a run takes (the supervisor stops it with at most half of this).
  marginMs: Math.floor(ttlMs / 3),
  renew: async (slug, fence) => {
    const rows = await db.query(
      `task ${slug}: renewing its lease`,
      `UPDATE ${db.target.s}.task SET lease_expires_at = now() + make_interval(secs => $3::double precision / 1000) WHERE slug = $1 AND fence = $2 AND lease_expires_at > now() RETURNING 1 AS ok`,
      [slug, fence, ttlMs],
    );
    return rows.length === 1;
  },
});
