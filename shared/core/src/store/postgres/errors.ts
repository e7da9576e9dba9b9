import { FailureError } from '../../errors/errors.js';

/** What went wrong talking to the server, as far as retrying is concerned. */
export type FaultKind = 'unreachable' | 'lost' | 'login' | 'other';

// Node's socket errors.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOENT']);
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const codeOf = (error: unknown): string => String((error as { code?: unknown })?.code ?? '');
/** A server's error (the driver's DatabaseError) carries a severity and its SQLSTATE code. */
const fromServer = (error: unknown): boolean => typeof (error as { severity?: unknown })?.severity === 'string';
// The driver's own words for a link that broke or never came up (they carry no code).
const LOST_WORDS = /terminated|not queryable|ended|closed|ECONNRESET|EPIPE|socket hang up/i;
const TIMEOUT_WORDS = /timeout/i;

/**
 * SQLSTATE classes: 08 connection exceptions and 57P0x (the server shutting down or
 * starting up) are faults of the link, worth another try; 25P03 is the server ending
 * a session that sat in a transaction too long; 28 is a refused login.
 */
export const faultKind = (error: unknown): FaultKind => {
  if (error instanceof FailureError || !(error instanceof Error)) return 'other';
  const code = codeOf(error);
  if (fromServer(error)) {
    if (code === '57P03') return 'unreachable';
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '25P03' || code === '40001' || code === '40P01') return 'lost';
    if (code.startsWith('28')) return 'login';
    return 'other';
  }
  if (UNREACHABLE.has(code)) return 'unreachable';
  if (LOST.has(code)) return 'lost';
  if (TIMEOUT_WORDS.test(error.message)) return 'unreachable';
  if (LOST_WORDS.test(error.message)) return 'lost';
  return 'other';
};

/** A fault that a later attempt may get past: the server restarting, a dropped link. */
export const isTransient = (error: unknown): boolean => {
  const kind = faultKind(error);
  return kind === 'unreachable' || kind === 'lost';
};

/** What the server or the socket said, without anything from the URL. */
const said = (error: unknown): string => {
  const e = error as { message?: string; code?: string };
  const code = codeOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ETIMEDOUT' || (!fromServer(error) && TIMEOUT_WORDS.test(String((e as Error)?.message)))) return 'connection timed out';
  if (LOST.has(code) || (!fromServer(error) && LOST_WORDS.test(String((e as Error)?.message)))) return 'the connection was closed';
  // Server messages (PostgresError) name users and objects, never the password.
  const message = (e?.message ?? String(error)).split('\n')[0] ?? '';
  return code && !message.includes(code) ? `${message} (${code})` : message;
};

/** The store's own error for a fault: one line, naming the server (no password). */
export class StoreFault extends FailureError {
  constructor(message: string, code: string, describe: string) {
    super(message, code, { store: describe });
  }
}

/** Turns a driver or socket error into one clear, typed line that names the store. */
export const storeError = (error: unknown, describe: string, doing: string): FailureError => {
  if (error instanceof FailureError) return error;
  const kind = faultKind(error);
  if (kind === 'unreachable') return new StoreFault(`cannot reach the PostgreSQL store ${describe} (${doing}): ${said(error)}; is the server running, and the URL right?`, 'store_unreachable', describe);
  if (kind === 'login') return new StoreFault(`the PostgreSQL store ${describe} refused the login (${doing}): ${said(error)}; check the user and password (PGPASSWORD, or the URL)`, 'store_login_refused', describe);
  if (kind === 'lost') return new StoreFault(`lost the connection to the PostgreSQL store ${describe} (${doing}): ${said(error)}`, 'store_connection_lost', describe);
  if (codeOf(error) === '3D000') return new StoreFault(`the PostgreSQL store ${describe} has no such database (${doing}): ${said(error)}`, 'store_no_database', describe);
  return new StoreFault(`the PostgreSQL store ${describe} failed (${doing}): ${said(error)}`, 'store_failed', describe);
};
