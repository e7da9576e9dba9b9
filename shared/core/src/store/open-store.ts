import { UsageError } from '../errors/errors.js';
import { FileStore } from './file-store.js';
import type { Store } from './store.js';

const POSTGRES = /^postgres(ql)?:\/\//;

/** The store's URL without its password, for messages and records. */
export const redactStoreUrl = (spec: string): string => {
  if (!POSTGRES.test(spec)) return spec;
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
};

/**
 * The store a tool works on: `file` (the default: the state directory) or a
 * `postgres://` URL. The PostgreSQL store and its driver are loaded only when asked
 * for, so the default path pays nothing for them.
 */
export const openStore = async (spec: string, stateDir: string): Promise<Store> => {
  if (spec === '' || spec === 'file') return new FileStore(stateDir);
  if (POSTGRES.test(spec)) {
    const { openPostgresStore } = await import('./postgres/pg-store.js');
    return openPostgresStore(spec);
  }
  throw new UsageError(`--store (or TASK_MANAGER_STORE) must be "file" or a postgres:// URL, got ${JSON.stringify(redactStoreUrl(spec))}`, { store: redactStoreUrl(spec) });
};

/** Opens the store a tool's settings name, runs `fn`, and lets go of it whatever happens. */
export const withStore = async <T>(config: { store: string; stateDir: string }, fn: (store: Store) => Promise<T>): Promise<T> => {
  const store = await openStore(config.store, config.stateDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};
