import type { HistoryRead, HistoryRecord } from '../../history/read-history.js';
import { nowIso } from '../../time/clock.js';
import { hostId } from '../../liveness/host-id.js';
import type { TaskEvent } from '../store.js';
import type { Db } from './db.js';

/** One history record, key for key the line the file store appends. */
export const historyRecord = (slug: string, event: TaskEvent): Record<string, unknown> => ({ type: 'history', ts: nowIso(), ...{ ...event, slug, host: hostId() } });

/**
 * An event outside any section (the supervisor's run_started, session_seen): under the
 * task's row lock when the task has a row, so ids still follow commit order.
 */
export const appendHistoryRow = (db: Db, slug: string, event: TaskEvent): Promise<void> =>
  db.transaction(`task ${slug}: appending history`, async (tx) => {
    await tx.q(`SELECT 1 FROM ${db.target.s}.task WHERE slug = $1 FOR UPDATE`, [slug]);
    await tx.q(`INSERT INTO ${db.target.s}.history (slug, record) VALUES ($1, $2::json)`, [slug, JSON.stringify(historyRecord(slug, event))]);
  });

/** The task's live history in order. Rows are whole records: nothing is ever torn or damaged. */
export const readHistoryRows = async (db: Db, slug: string): Promise<HistoryRead> => {
  const S = db.target.s;
  const rows = await db.query(`task ${slug}: reading history`, `SELECT record FROM ${S}.history WHERE slug = $1 AND NOT archived ORDER BY id`, [slug]);
  const records = rows.map((row) => row.record as HistoryRecord);
  let exists = records.length > 0;
  if (!exists) {
    const [task] = await db.query(`task ${slug}: reading history`, `SELECT status IS NOT NULL AS has FROM ${S}.task WHERE slug = $1`, [slug]);
    exists = task?.has === true;
  }
  return { records, damaged: [], tornTail: false, exists };
};
