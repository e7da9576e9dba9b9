import type { Store } from '../store/store.js';
import { reapSlug, type ReapOptions, type ReapRecord } from './reap-slug.js';

/** A slug that could not be checked (a damaged status, a process that survived SIGKILL). */
export interface ReapFailure {
  type: 'failure';
  slug: string;
  error: unknown;
}

/**
 * Reaps the slugs given, or 'all' (every status file and every lock directory in the
 * state directory). Yields each change record as it happens, and a failure for a slug
 * that could not be checked; the other slugs still go on. worker-reap and hb-tick both
 * use this, so a reap means the same thing wherever it runs.
 */
export async function* reapDispatches(store: Store, stateDir: string, slugs: string[] | 'all', options: ReapOptions): AsyncGenerator<ReapRecord | ReapFailure> {
  const all = slugs === 'all';
  // The store's own tidying first, once for the whole reap (file store: one listing).
  const { slugs: list, notes } = await store.housekeep(slugs, { dryRun: options.dryRun });
  for (const slug of list) {
    try {
      yield* await reapSlug(store, stateDir, slug, { ...options, missingOk: options.missingOk ?? all }, notes.get(slug));
    } catch (error) {
      yield { type: 'failure', slug, error };
    }
  }
}
