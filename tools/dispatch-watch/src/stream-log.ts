import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { entryExists, openStateFile } from '@task-manager/core/fsx/safe-open';
import { BadInputError } from '@task-manager/core/errors/errors';
import { slugPaths } from '@task-manager/core/paths/state-paths';
import { watchPath } from '@task-manager/core/fsx/watch-path';
import { nowIso } from '@task-manager/core/time/clock';
import { readSnapshot } from '@task-manager/core/watch/read-snapshot';
import type { WatchContext } from './context.js';

const MAX_LINE_CHARS = 1024 * 1024;

export interface LogOptions {
  follow: boolean;
  /** Stop following once the dispatch is done; exit 5 if it did not end `exited`. */
  untilDone: boolean;
  signal: AbortSignal;
}

/**
 * A task's log: text on a terminal (escape sequences and control characters but tabs
 * removed: an agent's output cannot retitle or clear the screen), {"type":"log"} records
 * otherwise (the text as it was). With follow, new output is streamed as it is appended
 * (woken by fs.watch on the state directory, with a 1 s poll behind it), a log not
 * written yet is waited for, and a log rotated to .log.1 at a run's start is followed
 * into the new one. The log is opened like every state file (fsx/safe-open.ts): a
 * link, another user's file or a committed one is refused, never printed.
 */
export const streamLog = async (ctx: WatchContext, slug: string, options: LogOptions): Promise<ExitCode> => {
  const paths = slugPaths(ctx.stateDir, slug);
  if (!entryExists(paths.log) && !(options.follow && entryExists(paths.status))) {
    throw new BadInputError(`no log for ${slug} (${paths.log} does not exist): was it dispatched?`, 'log_missing', { slug });
  }
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let fd: number | undefined;
  let offset = 0;
  let partial = '';
  // Characters of the current line past MAX_LINE_CHARS: skipped, and said so.
  let skipped = 0;

  const emit = async (text: string) => {
    const cut = skipped;
    skipped = 0;
    if (ctx.table) ctx.io.stdout.write(`${forTerminal(text, { multiline: true })}${cut ? ` [… ${cut} more characters of this line not shown]` : ''}\n`);
    else await ctx.out.write({ type: 'log', slug, text, ...(cut ? { cut_chars: cut } : {}), ts: nowIso() });
  };
  const drain = async (final: boolean) => {
    if (fd !== undefined && replaced(fd)) {
      // Rotated (or replaced) under us: finish the old file, then read the new one from its start.
      await readRest();
      fs.closeSync(fd);
      fd = undefined;
      offset = 0;
    }
    fd ??= entryExists(paths.log) ? openStateFile(paths.log, 'read') : undefined;
    if (fd === undefined) return;
    // Truncated under us: start again from its beginning.
    if (fs.fstatSync(fd).size < offset) offset = 0;
    await readRest();
    if (final && partial) {
      await emit(partial);
      partial = '';
    }
  };
  const replaced = (open: number): boolean => {
    const now = fs.lstatSync(paths.log, { throwIfNoEntry: false });
    return now !== undefined && now.ino !== fs.fstatSync(open).ino;
  };
  const keep = (text: string) => {
    const room = Math.max(0, MAX_LINE_CHARS - partial.length);
    partial += text.length <= room ? text : text.slice(0, room);
    skipped += Math.max(0, text.length - room);
  };
  const readRest = async () => {
    if (fd === undefined) return;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, offset);
      if (n <= 0) break;
      offset += n;
      // A line is kept up to MAX_LINE_CHARS (an agent may print megabytes with no
      // newline: joining every read onto it would cost time squared in its length).
      const segments = decoder.write(buffer.subarray(0, n)).split('\n');
      const tail = segments.pop() ?? '';
      for (const [i, segment] of segments.entries()) {
        if (i === 0) {
          keep(segment);
          const line = partial;
          partial = '';
          await emit(line);
        } else await emit(segment);
      }
      keep(tail);
      if (ctx.out.closed) return;
    }
  };

  if (!options.follow) {
    await drain(true);
    if (fd !== undefined) fs.closeSync(fd);
    return EXIT.ok;
  }

  let last = readSnapshot(ctx.stateDir, slug);
  let failure: unknown;
  await new Promise<void>((resolve) => {
    let busy = false;
    let again = false;
    let stopped = false;
    const finish = () => {
      watch.close();
      resolve();
    };
    // Never closes the log under a drain that is still reading it.
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
            if (options.untilDone) last = readSnapshot(ctx.stateDir, slug);
            const done = options.untilDone && (last.type === 'error' || last.done);
            await drain(done);
            if (done || ctx.out.closed) stopped = true;
          } while (again && !stopped);
        } catch (error) {
          failure = error;
          stopped = true;
        }
        busy = false;
        if (stopped) finish();
      })();
    };
    const names = new Set([path.basename(paths.log), path.basename(paths.status)]);
    const watch = watchPath(ctx.stateDir, poke, { names: (name) => names.has(name), pollMs: 1000 });
    options.signal.addEventListener('abort', stop, { once: true });
    poke();
  });
  if (fd !== undefined) fs.closeSync(fd);
  if (failure) throw failure;
  // Not waiting for an end, or the reader went away (`| head -1`): a quiet exit.
  if (!options.untilDone || ctx.out.closed) return EXIT.ok;
  if (last.type === 'error') {
    ctx.io.stderr.write(`dispatch-watch: ${slug}: ${forTerminal(last.message)}\n`);
    return EXIT.badInput;
  }
  if (!last.done) {
    ctx.io.stderr.write(`dispatch-watch: stopped before ${slug} was done\n`);
    return EXIT.failure;
  }
  return last.dispatch_state === 'exited' ? EXIT.ok : EXIT.runFailed;
};
