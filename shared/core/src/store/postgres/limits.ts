import type { ActiveLimit } from '../../limits/account-limits.js';
import { nowMs } from '../../time/clock.js';
import type { Db } from './db.js';

/**
 * The accounts' limits: one row per account, ending at expires_at by the database's
 * clock, so every host sees a limit end at the same moment whatever its own clock says.
 * `until` is reported on this host's clock (now + what is left), as the file store does.
 */
export const activeLimitRows = async (db: Db): Promise<ActiveLimit[]> => {
  const rows = await db.query(
    'reading the account limits',
    `SELECT account, worker, slug, kind, (extract(epoch FROM expires_at - now()) * 1000)::bigint AS left_ms
       FROM ${db.target.s}.account_limit WHERE expires_at > now() ORDER BY account`,
  );
  return rows.map((r) => ({
    account: String(r.account),
    worker: String(r.worker),
    slug: String(r.slug),
    kind: String(r.kind),
    until: new Date(nowMs() + Number(r.left_ms)).toISOString(),
  }));
};

export const recordLimitRow = (db: Db, account: string, entry: { worker: string; slug: string; kind: string; wait_ms: number }): Promise<void> =>
  db.transaction('recording an account limit', async (tx) => {
    const S = db.target.s;
    await tx.q(`DELETE FROM ${S}.account_limit WHERE expires_at <= now()`);
    await tx.q(
      `INSERT INTO ${S}.account_limit (account, worker, slug, kind, wait_ms, recorded_at, expires_at)
       VALUES ($1, $2, $3, $4, $5::bigint, now(), now() + $5::bigint * interval '1 millisecond')
       ON CONFLICT (account) DO UPDATE SET worker = excluded.worker, slug = excluded.slug, kind = excluded.kind,
         wait_ms = excluded.wait_ms, recorded_at = excluded.recorded_at, expires_at = excluded.expires_at`,
      [account, entry.worker, entry.slug, entry.kind, Math.max(0, Math.round(entry.wait_ms))],
    );
  });

export const clearLimitRow = async (db: Db, account: string): Promise<void> => {
  await db.query('clearing an account limit', `DELETE FROM ${db.target.s}.account_limit WHERE account = $1`, [account]);
};
