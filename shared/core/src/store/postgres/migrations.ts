import type { Pool } from './connect.js';
import { StoreFault } from './errors.js';
import type { PgTarget } from './url.js';

/**
 * The schema, one versioned step at a time; `{S}` is the store's schema (quoted). A
 * database is moved forward by the first tool that finds it behind, under an advisory
 * lock; never backward. Append steps; never edit one that has shipped.
 *
 * Documents are `json`, not `jsonb`: json keeps the text as written, so statuses and
 * history read back key for key as the file store writes them (jsonb reorders keys).
 */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE {S}.task (
  slug       text PRIMARY KEY,
  -- The status document; NULL for a row made only to lock a new slug, or archived.
  status     json,
  -- The claim counter: a new claim takes fence + 1 under the row lock.
  fence      bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {S}.history (
  id       bigserial PRIMARY KEY,
  slug     text NOT NULL,
  record   json NOT NULL,
  archived boolean NOT NULL DEFAULT false
);
CREATE INDEX history_live ON {S}.history (slug, id) WHERE NOT archived;
CREATE TABLE {S}.archived_status (
  id          bigserial PRIMARY KEY,
  slug        text NOT NULL,
  status      json NOT NULL,
  fence       bigint NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {S}.heartbeat (
  id         smallint PRIMARY KEY CHECK (id = 1),
  snapshot   json NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {S}.account_limit (
  account     text PRIMARY KEY,
  worker      text NOT NULL,
  slug        text NOT NULL,
  kind        text NOT NULL,
  wait_ms     bigint NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- The database's clock decides expiry: every host sees the same limit end.
  expires_at  timestamptz NOT NULL
);
-- A status change tells the listeners which task (channel "<schema>.task", payload the slug).
CREATE FUNCTION {S}.notify_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS NOT NULL THEN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.task', NEW.slug);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER task_status_changed AFTER INSERT OR UPDATE OF status ON {S}.task
  FOR EACH ROW EXECUTE FUNCTION {S}.notify_status();
`,
  },
  {
    version: 2,
    sql: `
-- Several hosts: a live chain's lease, by the database's clock (docs/fleet.md).
ALTER TABLE {S}.task ADD COLUMN lease_expires_at timestamptz;
-- One row per transaction, written inside it: a COMMIT whose answer was lost committed
-- exactly when its marker is there (a transaction id can be given out again after a crash).
CREATE TABLE {S}.commit_marker (
  token uuid PRIMARY KEY,
  at    timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

export const CODE_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA = '3F000';

const newerError = (target: PgTarget, found: number) =>
  new StoreFault(
    `the PostgreSQL store ${target.describe} has schema "${target.schema}" at version ${found}, newer than this task-manager understands (${CODE_VERSION}); upgrade task-manager, or use another schema (?schema=NAME)`,
    'store_schema_newer',
    target.describe,
  );

/** The schema's version: 0 when there is none yet. */
const versionOf = async (pool: Pool, target: PgTarget): Promise<number> => {
  try {
    const [row] = (await pool.query(`SELECT coalesce(max(version), 0) AS v FROM ${target.s}.schema_version`)).rows;
    return Number(row?.v ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return 0;
    throw error;
  }
};

/**
 * Brings the schema to CODE_VERSION. One query when it is current (every tool start);
 * otherwise, under an advisory lock so that two first users do not race, each missing
 * step in one transaction. A schema newer than the code is refused.
 */
export const migrate = async (pool: Pool, target: PgTarget): Promise<void> => {
  const found = await versionOf(pool, target);
  if (found === CODE_VERSION) return;
  if (found > CODE_VERSION) throw newerError(target, found);
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('task-manager'), hashtext($1))`, [`${target.schema}.migrate`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${target.s}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const now = Number((await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${target.s}.schema_version`)).rows[0]?.v ?? 0);
    if (now > CODE_VERSION) throw newerError(target, now);
    for (const step of MIGRATIONS.filter((m) => m.version > now)) {
      // No parameters: the simple protocol, several statements in one go.
      await client.query(step.sql.replaceAll('{S}', target.s));
      await client.query(`INSERT INTO ${target.s}.schema_version (version) VALUES ($1)`, [step.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    // DDL is transactional: a migration that failed left nothing behind.
    await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
    throw error;
  } finally {
    client.release(broken === undefined ? undefined : true);
  }
};
