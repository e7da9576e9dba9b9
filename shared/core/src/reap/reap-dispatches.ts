import fs from 'node:fs';
import { fenceFilesBySlug } from '../lock/fence.js';
import { FILE_PREFIX } from '../paths/state-paths.js';
import { listSlugs } from '../watch/list-slugs.js';
import { reapSlug, type ReapOptions, type ReapRecord } from './reap-slug.js';

/** A slug that could not be checked (a damaged status, a process that survived SIGKILL). */
export interface ReapFailure {
  type: 'failure';
  slug: string;
  error: unknown;
}

const LOCK_SUFFIX = '.lock';

const listNames = (stateDir: string): string[] => {
  try {
    return fs.readdirSync(stateDir);
  } catch {
    return [];
  }
};

/** Slugs with a lock directory: a lock can be left behind before any status was written. */
const lockedSlugs = (names: string[]): string[] =>
  names.filter((n) => n.startsWith(FILE_PREFIX) && n.endsWith(LOCK_SUFFIX)).map((n) => n.slice(FILE_PREFIX.length, -LOCK_SUFFIX.length));

/**
 * Reaps the slugs given, or 'all' (every status file and every lock directory in the
 * state directory). Yields each change record as it happens, and a failure for a slug
 * that could not be checked; the other slugs still go on. worker-reap and hb-tick both
 * use this, so a reap means the same thing wherever it runs.
 */
export async function* reapDispatches(stateDir: string, slugs: string[] | 'all', options: ReapOptions): AsyncGenerator<ReapRecord | ReapFailure> {
  const all = slugs === 'all';
  // One listing serves the lock directories and the fence files to sweep.
  const names = listNames(stateDir);
  const fences = fenceFilesBySlug(names);
  const list = all ? [...new Set([...listSlugs(stateDir), ...lockedSlugs(names)])].sort() : slugs;
  for (const slug of list) {
    try {
      yield* await reapSlug(stateDir, slug, { ...options, missingOk: options.missingOk ?? all, fences: fences.get(slug) ?? [] });
    } catch (error) {
      yield { type: 'failure', slug, error };
    }
  }
}
