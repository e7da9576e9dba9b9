import fs from 'node:fs';
import lockfile from 'proper-lockfile';
import path from 'node:path';
import { FailureError, LockBusyError, LockLostError } from '../errors/errors.js';
import { NOT_WRITABLE } from '../fsx/state-dir.js';

const DEFAULT_RETRIES = 400;
import { DIR_MODE } from '../fsx/atomic-write.js';
import { checkLockPath } from '../fsx/safe-open.js';

/**
 * One setting for every lock on every file: proper-lockfile misbehaves when two
 * processes use different stale/update values for the same lock.
 */
export const LOCK_STALE_MS = 10_000;
export const LOCK_UPDATE_MS = 2_500;

export interface Section {
  /** Aborted when the lock is compromised (stolen as stale, or its directory vanished). */
  signal: AbortSignal;
  /** Throws LockLostError if the lock is no longer ours; call before every write. */
  assertHeld(): void;
}

export interface SectionOptions {
  /** Test hook: proper-lockfile's `fs` option, to slow one step and widen a race. */
  fs?: unknown;
  /** Retries span more than the stale time, so a lock left by a killed holder is taken over. */
  retries?: number;
}

// proper-lockfile creates the lock directory with a bare mkdir (0777 less the umask):
// ours is created owner-only like every other entry of the state directory. The rest is
// fs through the prototype: a copy ({ ...fs }) would read fs.promises, which loads
// node's promise API and readline into every process that takes a lock.
//
// Each step it takes (mkdir, stat, utimes, rmdir) is a synchronous call here, its callback
// run on the next tick: tiny operations on a local directory, which through libuv's thread
// pool each waited for a hand-off to a thread and back. Claim + release was 0.3 ms against
// 0.1 ms for a bare mkdir + rmdir (`just bench`, "critical section").
type Callback<T> = (error: NodeJS.ErrnoException | null, value?: T) => void;
const nextTick = <T>(callback: Callback<T>, step: () => T): void => {
  let value: T;
  try {
    value = step();
  } catch (error) {
    process.nextTick(callback, error as NodeJS.ErrnoException);
    return;
  }
  process.nextTick(callback, null, value);
};
const lockFs = Object.create(fs, {
  mkdir: { value: (dir: string, callback: Callback<void>) => nextTick(callback, () => void fs.mkdirSync(dir, { mode: DIR_MODE })) },
  stat: { value: (file: string, callback: Callback<fs.Stats>) => nextTick(callback, () => fs.statSync(file)) },
  utimes: { value: (file: string, atime: Date, mtime: Date, callback: Callback<void>) => nextTick(callback, () => fs.utimesSync(file, atime, mtime)) },
  rmdir: { value: (dir: string, callback: Callback<void>) => nextTick(callback, () => fs.rmdirSync(dir)) },
}) as typeof fs;

const isErrno = (error: unknown, code: string) => (error as NodeJS.ErrnoException | undefined)?.code === code;

/**
 * Runs `fn` while holding the lock directory `lockPath`. Locks guard decisions, not
 * lifetimes: keep `fn` short (read, decide, write). By default proper-lockfile throws
 * from a timer when the lock is compromised, which would kill the process; here that
 * only aborts the section, and the fencing token in the status file is what keeps a
 * process that lost its lock from acting on it (proper-lockfile#121).
 */
export const withCriticalSection = async <T>(lockPath: string, fn: (section: Section) => Promise<T> | T, options: SectionOptions = {}): Promise<T> => {
  // A link or a foreign entry under the lock's name is refused with its own clear line,
  // not retried as "busy" until the retries run out (a symlinked heartbeat.lock made
  // every tick report "skipped").
  checkLockPath(lockPath);
  const controller = new AbortController();
  let lostReason: string | undefined;
  let release: () => Promise<void>;
  const take = (retries: number) =>
    lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: { retries, factor: 1.2, minTimeout: 5, maxTimeout: 60, randomize: true },
      onCompromised: (error: Error) => {
        lostReason = error.message;
        controller.abort(error);
      },
      fs: options.fs ?? lockFs,
    });
  try {
    // proper-lockfile retries on every error: a directory that refuses writes (EACCES,
    // EROFS, immutable) would be retried for ~24 s. Only contention is worth waiting for.
    release = await take(0).catch((error: unknown) => {
      if (!isErrno(error, 'ELOCKED') || (options.retries ?? DEFAULT_RETRIES) === 0) throw error;
      return take(options.retries ?? DEFAULT_RETRIES);
    });
  } catch (error) {
    if (isErrno(error, 'ELOCKED')) {
      throw new LockBusyError(`lock ${lockPath} is busy; another tool holds it (try again)`, { lock: lockPath });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code && NOT_WRITABLE.has(code)) {
      throw new FailureError(`cannot write in ${path.dirname(lockPath)} (${code}): the state directory must be writable by you`, 'state_dir_unwritable', { lock: lockPath, errno: code });
    }
    throw new FailureError(`cannot take lock ${lockPath}: ${(error as Error).message}`, 'lock_failed', { lock: lockPath });
  }
  const section: Section = {
    signal: controller.signal,
    assertHeld: () => {
      if (controller.signal.aborted) throw new LockLostError(`lost lock ${lockPath}: ${lostReason}`, { lock: lockPath });
    },
  };
  try {
    return await fn(section);
  } finally {
    // A compromised lock is no longer ours to remove.
    if (!controller.signal.aborted) await release().catch(() => undefined);
  }
};
