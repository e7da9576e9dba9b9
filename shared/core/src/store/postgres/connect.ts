import postgres from 'postgres';
import type { PgTarget } from './url.js';

export type Sql = postgres.Sql;
export type Reserved = postgres.ReservedSql;

/**
 * Per-session server settings (sent at login, so they hold for every connection we
 * open): a session cut off inside a transaction lets go of its row locks after a few
 * seconds, and the server notices a dead client within a few seconds too.
 */
export const SESSION_SETTINGS = {
  application_name: 'task-manager',
  idle_in_transaction_session_timeout: 5000,
  tcp_keepalives_idle: 2,
  tcp_keepalives_interval: 1,
  tcp_keepalives_count: 2,
} as const;

/** A new connection may wait this long for the server (then: store_unreachable). */
export const CONNECT_TIMEOUT_S = 10;

const common = {
  connect_timeout: CONNECT_TIMEOUT_S,
  fetch_types: false,
  prepare: false,
  onnotice: () => undefined,
  connection: SESSION_SETTINGS as unknown as Record<string, never>,
};

/**
 * The pool: each transaction reserves its own connection (a read never interleaves
 * with someone else's transaction). Idle connections close after a while, so a tool
 * that forgot close() still ends.
 */
export const openPool = (target: PgTarget): Sql => postgres(target.connectUrl, { ...common, max: 4, idle_timeout: 10 });

/**
 * One connection that stays open until ended (LISTEN, a session advisory lock); its
 * close, however it comes, is reported to `onclose`.
 */
export const openSession = (target: PgTarget, events: { onclose: () => void; onnotify?: (channel: string, payload: string) => void }): Sql =>
  postgres(target.connectUrl, { ...common, max: 1, idle_timeout: 0, max_lifetime: 0, onclose: events.onclose, ...(events.onnotify ? { onnotify: events.onnotify } : {}) });
