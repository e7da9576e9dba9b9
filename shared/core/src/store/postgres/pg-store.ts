import { UsageError } from '../../errors/errors.js';
import type { Store } from '../store.js';

/** Placeholder until the PostgreSQL store lands (docs/store.md). */
export const openPostgresStore = async (_url: string): Promise<Store> => {
  throw new UsageError('the PostgreSQL store is not built yet; use --store file');
};
