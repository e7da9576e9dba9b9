import { LockBusyError, LockLostError } from '../../errors/errors.js';
import { openSession } from './connect.js';
import type { Db } from './db.js';
import { storeError } from './errors.js';

/**
 * The heartbeat's tick lock: a session advisory lock on a connection of its own, taken
 * without waiting (LockBusyError when another tick holds it). It is the connection's: a
 * tick whose connection drops has lost it (assertHeld throws), and a tick that dies
 * lets go of it with its connection, with no stale lock left behind.
 */
export const withAdvisoryTickLock = async <T>(db: Db, fn: (held: { assertHeld(): void }) => Promise<T>): Promise<T> => {
  await db.prepare();
  const target = db.target;
  let lost = false;
  const client = openSession(target, () => {
    lost = true;
  });
  try {
    let got: unknown;
    try {
      await client.connect();
      got = (await client.query(`SELECT pg_try_advisory_lock(hashtext('task-manager'), hashtext($1)) AS got`, [`${target.schema}.tick`])).rows[0]?.got;
    } catch (error) {
      throw storeError(error, target.describe, 'taking the tick lock');
    }
    if (got !== true) throw new LockBusyError(`another heartbeat tick holds the tick lock in ${target.describe}`, { store: target.describe });
    return await fn({
      assertHeld: () => {
        if (lost) throw new LockLostError(`the tick lock in ${target.describe} was lost with its connection`, { store: target.describe });
      },
    });
  } finally {
    // Closing the session releases the lock.
    await client.end().catch(() => undefined);
  }
};
