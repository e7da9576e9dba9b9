import type { HeartbeatSnapshot } from '../../heartbeat/snapshot.js';
import type { Db } from './db.js';

/** The last tick's snapshot: one row, replaced whole (heartbeat.json in the file store). */
export const writeHeartbeatRow = async (db: Db, snapshot: HeartbeatSnapshot): Promise<void> => {
  await db.query(
    'writing the heartbeat snapshot',
    `INSERT INTO ${db.target.s}.heartbeat (id, snapshot, written_at) VALUES (1, $1::json, now())
     ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, written_at = excluded.written_at`,
    [JSON.stringify(snapshot)],
  );
};

export const readHeartbeatRow = async (db: Db): Promise<HeartbeatSnapshot | undefined> => {
  const [row] = await db.query('reading the heartbeat snapshot', `SELECT snapshot FROM ${db.target.s}.heartbeat WHERE id = 1`);
  return row ? (row.snapshot as HeartbeatSnapshot) : undefined;
};
