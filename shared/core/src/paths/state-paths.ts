import path from 'node:path';
import { validateSlug } from './slug.js';

/** The files one task owns in the state directory. */
export interface SlugPaths {
  slug: string;
  status: string;
  log: string;
  history: string;
  /** proper-lockfile's lock directory for the critical section. */
  lock: string;
  /** Prefix of the exclusive-create fence files (see lock/fence.ts). */
  fencePrefix: string;
}

export const STATUS_SUFFIX = '.status.json';
export const FILE_PREFIX = 'dispatch-';

export const slugPaths = (stateDir: string, slug: string): SlugPaths => {
  validateSlug(slug);
  const base = path.join(stateDir, `${FILE_PREFIX}${slug}`);
  return {
    slug,
    status: `${base}${STATUS_SUFFIX}`,
    log: `${base}.log`,
    history: `${base}.history.jsonl`,
    lock: `${base}.lock`,
    fencePrefix: `${base}.fence-`,
  };
};

/** A run's log: a local file in the state directory, whatever the store (the worker writes it). */
export const runLogPath = (stateDir: string, slug: string): string => slugPaths(stateDir, slug).log;

export const heartbeatPath = (stateDir: string): string => path.join(stateDir, 'heartbeat.json');

/** The slug a status file name belongs to, or undefined for any other file. */
export const slugOfStatusFile = (name: string): string | undefined =>
  name.startsWith(FILE_PREFIX) && name.endsWith(STATUS_SUFFIX)
    ? name.slice(FILE_PREFIX.length, -STATUS_SUFFIX.length)
    : undefined;

export const worktreePath = (worktreesDir: string, slug: string): string =>
  path.join(worktreesDir, validateSlug(slug));

export const branchName = (slug: string): string => `task/${validateSlug(slug)}`;
