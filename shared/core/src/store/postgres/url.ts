import { UsageError } from '../../errors/errors.js';

export const DEFAULT_SCHEMA = 'task_manager';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Query parameters that may appear in `describe`: none of them can hold a secret. */
const SHOWN_PARAMS = new Set(['schema', 'sslmode']);

/** Where a PostgreSQL store lives, as the tools use it. */
export interface PgTarget {
  /** The URL the driver connects with: the user's, less our own `schema` parameter. */
  connectUrl: string;
  /** The schema the tables live in: `?schema=NAME`, else task_manager. */
  schema: string;
  /** The schema as SQL writes it (a checked name, quoted). */
  s: string;
  /** For messages and records: the URL without its password or any other query parameter. */
  describe: string;
  /** The URL as given: only ever handed over in the environment. */
  spec: string;
}

/**
 * Reads a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]` URL. The
 * password may instead come from PGPASSWORD, so that the URL itself holds none.
 */
export const parsePgUrl = (spec: string): PgTarget => {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UsageError('--store (or TASK_MANAGER_STORE): the postgres:// URL cannot be parsed (its password, if any, is not shown)');
  }
  const schema = url.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new UsageError(`--store: schema ${JSON.stringify(schema)} is not a plain lower-case SQL name (letters, digits, _; at most 63)`, { schema });
  }
  url.searchParams.delete('schema');
  const connectUrl = url.toString();
  const shown = new URL(spec);
  shown.password = '';
  for (const key of [...shown.searchParams.keys()]) if (!SHOWN_PARAMS.has(key)) shown.searchParams.delete(key);
  return { connectUrl, schema, s: `"${schema}"`, describe: shown.toString(), spec };
};
