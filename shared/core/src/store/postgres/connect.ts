import pg from 'pg';
import type { PgTarget } from './url.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Client = pg.Client;

/** A new connection may wait this long for the server (then: store_unreachable). */
export const CONNECT_TIMEOUT_S = 10;

/**
 * Every connection we open: per-session server settings sent at login, so that a
 * session cut off inside a transaction lets go of its row locks after a few seconds,
 * and the server notices a dead client within a few seconds too.
 */
const clientConfig = (target: PgTarget): pg.ClientConfig => ({
  connectionString: target.connectUrl,
  connectionTimeoutMillis: CONNECT_TIMEOUT_S * 1000,
  application_name: 'task-manager',
  idle_in_transaction_session_timeout: 5000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 2000,
  options: '-c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=2',
});

/**
 * The pool: each transaction checks out its own connection (a read never interleaves
 * with someone else's transaction), and a connection that failed is destroyed, never
 * handed out again. Idle connections do not keep the process alive, and close after a while.
 */
export const openPool = (target: PgTarget): Pool => {
  const pool = new pg.Pool({ ...clientConfig(target), max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  // An idle connection that the server closed (a restart) is dropped by the pool; the
  // next use connects afresh. Without a listener, the event would end the process.
  pool.on('error', () => undefined);
  return pool;
};

/**
 * One connection that stays open until ended (LISTEN, a session advisory lock); its
 * loss, however it comes, is reported to `onLost`.
 */
export const openSession = (target: PgTarget, onLost: () => void): Client => {
  const client = new pg.Client(clientConfig(target));
  client.on('error', onLost);
  client.on('end', onLost);
  return client;
};
