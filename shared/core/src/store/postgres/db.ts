import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { openPool, type Pool, type PoolClient } from './connect.js';
import { isTransient, StoreFault, storeError } from './errors.js';
import { migrate } from './migrations.js';
import type { PgTarget } from './url.js';

/**
 * How long a transient fault (the server restarting, a dropped link) is tried again:
 * briefly until the server has answered once in this process (a wrong URL or a server
 * that is not there gives its one clear line fast), longer after (a restart goes by).
 */
export const RETRY_FIRST_CONTACT_MS = 2_000;
export const RETRY_AFTER_CONTACT_MS = 30_000;

type Row = Record<string, unknown>;

/** One attempt's transaction, on its own reserved connection. */
export interface Tx {
  q(text: string, params?: unknown[]): Promise<Row[]>;
  /** The first fault of this attempt's connection: the transaction is gone with it. */
  readonly failed: unknown;
}

type Attempt<T> = { done: true; value: T } | { done: false; error: unknown };

/**
 * The connection pool and the two ways the store talks through it: a statement that
 * may simply be sent again (reads, idempotent writes), and a transaction whose commit
 * is never guessed. Every attempt of a transaction notes its transaction id; a COMMIT
 * whose answer was lost is looked up with pg_xact_status() once the server answers
 * again: committed (the result stands), aborted (the transaction runs again from the
 * start: nothing of it was kept), or unknown (a clear error, never a guess).
 */
export class Db {
  readonly pool: Pool;
  private contacted = false;
  private closed = false;
  private ready: Promise<void> | undefined;

  constructor(readonly target: PgTarget) {
    this.pool = openPool(target);
  }

  private windowMs(): number {
    return this.contacted ? RETRY_AFTER_CONTACT_MS : RETRY_FIRST_CONTACT_MS;
  }

  /** The schema is current (migrated on first use); refused when newer than the code. */
  prepare(): Promise<void> {
    this.ready ??= this.retrying('checking the schema', async () => {
      await migrate(this.pool, this.target);
      // Markers are asked about within seconds of their commit; a day's are plenty.
      await this.pool.query(`DELETE FROM ${this.target.s}.commit_marker WHERE at < now() - interval '1 day'`);
    }).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async retrying<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
      try {
        const value = await fn();
        this.contacted = true;
        return value;
      } catch (error) {
        if (this.closed || !isTransient(error) || performance.now() - start + wait > this.windowMs()) throw storeError(error, this.target.describe, doing);
      }
      await delay(wait);
    }
  }

  /** A statement that is safe to send again. */
  async query(doing: string, text: string, params: unknown[] = []): Promise<Row[]> {
    await this.prepare();
    return this.retrying(doing, async () => (await this.pool.query(text, params)).rows as Row[]);
  }

  /**
   * Runs `fn` in one transaction on its own connection; runs it again from the start
   * when the server lost the transaction before it committed (so `fn` must only decide
   * from what it reads inside). `fn`'s own errors roll back and are thrown as they are.
   */
  async transaction<T>(doing: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    await this.prepare();
    const start = performance.now();
    for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
      const outcome = await this.attempt(doing, fn);
      if (outcome.done) {
        this.contacted = true;
        return outcome.value;
      }
      if (this.closed || !isTransient(outcome.error) || performance.now() - start + wait > this.windowMs()) throw storeError(outcome.error, this.target.describe, doing);
      await delay(wait);
    }
  }

  private async attempt<T>(doing: string, fn: (tx: Tx) => Promise<T>): Promise<Attempt<T>> {
    let conn: PoolClient;
    try {
      conn = await this.pool.connect();
    } catch (error) {
      return { done: false, error };
    }
    let failed: unknown;
    // A connection that breaks while it is ours says so here (unheard, the event would end the process).
    const onError = (error: unknown) => {
      failed ??= error;
    };
    conn.on('error', onError);
    const tx: Tx = {
      q: async (text, params = []) => {
        if (failed !== undefined) throw storeError(failed, this.target.describe, doing);
        try {
          return (await conn.query(text, params)).rows as Row[];
        } catch (error) {
          failed = error;
          throw storeError(error, this.target.describe, doing);
        }
      },
      get failed() {
        return failed;
      },
    };
    try {
      let xid: string;
    const marker = randomUUID();
      try {
        await conn.query('BEGIN');
        xid = String((await conn.query('SELECT pg_current_xact_id()::text AS xid')).rows[0]?.xid);
        await conn.query(`INSERT INTO ${this.target.s}.commit_marker (token) VALUES ($1)`, [marker]);
      } catch (error) {
        failed ??= error;
        return { done: false, error };
      }
      let value: T;
      try {
        value = await fn(tx);
      } catch (error) {
        if (failed === undefined) await conn.query('ROLLBACK').catch((e: unknown) => (failed ??= e));
        if (failed === undefined) throw error;
        if (!isTransient(failed)) throw storeError(failed, this.target.describe, doing);
        return { done: false, error: failed };
      }
      if (failed !== undefined) {
        // fn went on after its connection failed: nothing of it can be kept.
        return { done: false, error: failed };
      }
      try {
        await conn.query('COMMIT');
        return { done: true, value };
      } catch (error) {
        failed ??= error;
        // The server answered: a COMMIT it refused did not happen.
        if ((error as { code?: string }).code && !isTransient(error)) throw storeError(error, this.target.describe, doing);
        const verdict = await this.commitStatus(xid, marker, doing);
        if (verdict === 'committed') return { done: true, value };
        return { done: false, error };
      }
    } finally {
      conn.off('error', onError);
      // A connection that failed is destroyed, never handed out again.
      conn.release(failed === undefined ? undefined : true);
    }
  }

  /** What became of a transaction whose COMMIT got no answer: asked of the server, never guessed. */
  private async commitStatus(xid: string, marker: string, doing: string): Promise<'committed' | 'aborted'> {
    const start = performance.now();
    for (;;) {
      const [row] = await this.retrying(`${doing}: asking whether the commit happened`, async () => {
        try {
          return (await this.pool.query('SELECT pg_xact_status($1::xid8) AS s', [xid])).rows;
        } catch (error) {
          // After a crash, an id the server gave out but never wrote to its log is "in the
          // future": a commit is always in the log (and moves the next id past it), so it
          // did not commit.
          if ((error as { code?: string }).code === '22023' && /in the future/.test((error as Error).message)) return [{ s: 'aborted' }];
          throw error;
        }
      });
      const status = row?.s;
      // Over (or an id given out again after a crash, whose status is another's): the
      // marker written inside the transaction says whether it committed.
      if (status === 'committed' || status === 'aborted') {
        const [found] = await this.retrying(`${doing}: asking whether the commit happened`, async () => (await this.pool.query(`SELECT 1 AS found FROM ${this.target.s}.commit_marker WHERE token = $1`, [marker])).rows);
        return found ? 'committed' : 'aborted';
      }
      // 'in progress': the server has not yet noticed the link is gone; its timeouts end it.
      if (status !== 'in progress' || performance.now() - start > RETRY_AFTER_CONTACT_MS) {
        throw new StoreFault(
          `the PostgreSQL store ${this.target.describe} did not answer a commit (${doing}), and whether it happened cannot be told (transaction ${xid}: ${String(status ?? 'unknown')}); read the task again before acting`,
          'store_commit_unknown',
          this.target.describe,
        );
      }
      await delay(100);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.end();
  }
}
