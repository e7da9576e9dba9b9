import fs from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors/errors.js';
import { watchPath } from '../fsx/watch-path.js';
import type { ErrorRecord } from '../ndjson/error-record.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';
import { parseRunHeader } from './log-header.js';
import { LogReader, type LogLine } from './log-reader.js';
import { readSnapshot } from './read-snapshot.js';
import type { SnapshotRecord } from './snapshot-record.js';

export interface LogStreamOptions {
  /** Which part of the log: `current` (the status's run), `all`, or a run id. */
  run: string;
  /** Only the last N lines of that part (then what follows, when following). */
  tail?: number;
  /** Keep reading what is appended, until the signal. */
  follow: boolean;
  /** Keep reading until the dispatch is done. */
  untilDone: boolean;
  signal: AbortSignal;
  /** Each line of the chosen part, in order; awaited, so a slow reader slows the read. */
  /** `cutBytes`: what the 1 MiB line cap left out of this line. */
  onLine: (text: string, cutBytes: number) => Promise<void> | void;
  /** The reader went away (`| head -1`): stop quietly. */
  closed: () => boolean;
}

export interface LogStreamEnd {
  /** The dispatch as last read: at the end when waiting for it, else at the start. */
  last: SnapshotRecord | ErrorRecord;
}

/** Where the chosen run's part starts: its header (the last one with that id), if there is one. */
const findRun = (file: string, runId: string | undefined): { start: number | undefined; lastHeader: number | undefined } => {
  const reader = new LogReader(file);
  let start: number | undefined;
  let lastHeader: number | undefined;
  try {
    for (let lines = reader.next(); lines; lines = reader.next()) {
      for (const line of lines) {
        const header = parseRunHeader(line.text);
        if (!header) continue;
        lastHeader = line.start;
        if (header.runId === runId) start = line.start;
      }
    }
  } finally {
    reader.close();
  }
  return { start, lastHeader };
};

/**
 * A task's log, or one run's part of it, line by line: the whole part (or its last N
 * lines), then — following — what is appended, woken by the shared watcher on the state
 * directory (its poll behind fs.watch). Runs are found by their header lines: `current`
 * starts at the header of the status's run (the last header if that one is not written
 * yet, the start if there is none); a run id starts at its header and ends at the next
 * run's, which also ends a follow.
 */
export const streamLog = async (store: Store, stateDir: string, slug: string, options: LogStreamOptions): Promise<LogStreamEnd> => {
  const paths = { log: runLogPath(stateDir, slug) };
  const following = options.follow || options.untilDone;
  let last = await readSnapshot(store, stateDir, slug);
  const hasStatus = last.type === 'status' || last.code !== 'status_missing';
  if (!fs.existsSync(paths.log) && !(following && hasStatus)) {
    throw new BadInputError(`no log for ${slug} (${paths.log} does not exist): was it dispatched?`, 'log_missing', { slug });
  }
  const oneRun = options.run !== 'current' && options.run !== 'all';
  let start = 0;
  let section: 'before' | 'in' | 'after' = 'in';
  if (options.run !== 'all') {
    const found = findRun(paths.log, oneRun ? options.run : last.type === 'status' ? (last.run_id ?? undefined) : undefined);
    if (found.start !== undefined) start = found.start;
    else if (oneRun && !following) throw new BadInputError(`${slug} has no run ${options.run} in ${paths.log}`, 'run_not_found', { slug, run_id: options.run });
    else if (oneRun) section = 'before'; // followed: it may start yet
    else start = found.lastHeader ?? 0;
  }

  // A run's part ends where the next run's header begins.
  const inPart = (text: string): boolean => {
    if (!oneRun) return true;
    const header = parseRunHeader(text);
    if (header?.runId === options.run) section = 'in';
    else if (header && section === 'in') section = 'after';
    return section === 'in';
  };
  let held: LogLine[] | undefined = options.tail === undefined ? undefined : [];
  const deliver = async (line: LogLine) => {
    if (!held) return options.onLine(line.text, line.cutBytes);
    held.push(line);
    if (held.length > (options.tail as number)) held.shift();
  };
  const reader = new LogReader(paths.log, { from: start });
  const drain = async (final: boolean) => {
    for (let lines = reader.next(); lines; lines = reader.next()) {
      for (const line of lines) {
        if (!inPart(line.text)) {
          if (section === 'after') return;
          continue;
        }
        await deliver(line);
        if (options.closed()) return;
      }
    }
    const rest = final ? reader.rest() : undefined;
    if (rest && inPart(rest.text)) await deliver(rest);
  };
  // --tail: what is there now is read whole, then only its last lines are shown.
  const release = async () => {
    const lines = held ?? [];
    held = undefined;
    for (const line of lines) {
      await options.onLine(line.text, line.cutBytes);
      if (options.closed()) return;
    }
  };

  try {
    if (!following) {
      await drain(true);
      await release();
      return { last };
    }
    await drain(false);
    await release();
    let failure: unknown;
    await new Promise<void>((resolve) => {
      let busy = false;
      let again = false;
      let stopped = false;
      const finish = () => {
        watch.close();
        statusWatch.close();
        resolve();
      };
      // Never stops under a drain that is still reading.
      const stop = () => {
        stopped = true;
        if (!busy) finish();
      };
      const poke = () => {
        if (stopped) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        void (async () => {
          try {
            do {
              again = false;
              if (options.untilDone) last = await readSnapshot(store, stateDir, slug);
              const done = options.untilDone && (last.type === 'error' || last.done);
              await drain(done);
              if (done || options.closed() || section === 'after') stopped = true;
            } while (again && !stopped);
          } catch (error) {
            failure = error;
            stopped = true;
          }
          busy = false;
          if (stopped) finish();
        })();
      };
      // The log is a local file; the status comes from the store.
      const name = path.basename(paths.log);
      const watch = watchPath(stateDir, poke, { names: (file) => file === name, pollMs: 1000 });
      const statusWatch = store.watch((change) => {
        if (change.slug === undefined || change.slug === slug) poke();
      }, { pollMs: 1000, onPoll: () => undefined, unref: true });
      options.signal.addEventListener('abort', stop, { once: true });
      if (options.signal.aborted) stop();
      else poke();
    });
    if (failure) throw failure;
    return { last };
  } finally {
    reader.close();
  }
};
