import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { BadInputError } from '@task-manager/core/errors/errors';
import { slugPaths } from '@task-manager/core/paths/state-paths';
import { watchPath } from '@task-manager/core/fsx/watch-path';
import { nowIso } from '@task-manager/core/time/clock';
import { readSnapshot } from '@task-manager/core/watch/read-snapshot';
import type { WatchContext } from './context.js';

export interface LogOptions {
  follow: boolean;
  /** Stop following once the dispatch is done; exit 5 if it did not end `exited`. */
  untilDone: boolean;
  signal: AbortSignal;
}

/**
 * A task's log: raw text on a terminal, {"type":"log"} records otherwise. With follow,
 * new output is streamed as it is appended (woken by fs.watch on the state directory,
 * with a 1 s poll behind it), and a log not written yet is waited for.
 */
export const streamLog = async (ctx: WatchContext, slug: string, options: LogOptions): Promise<ExitCode> => {
  const paths = slugPaths(ctx.stateDir, slug);
  if (!fs.existsSync(paths.log) && !(options.follow && fs.existsSync(paths.status))) {
    throw new BadInputError(`no log for ${slug} (${paths.log} does not exist): was it dispatched?`, 'log_missing', { slug });
  }
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let fd: number | undefined;
  let offset = 0;
  let partial = '';

  const emit = async (text: string) => {
    if (ctx.table) ctx.io.stdout.write(`${text}\n`);
    else await ctx.out.write({ type: 'log', slug, text, ts: nowIso() });
  };
  const drain = async (final: boolean) => {
    fd ??= fs.existsSync(paths.log) ? fs.openSync(paths.log, 'r') : undefined;
    if (fd === undefined) return;
    // Truncated or replaced under us: start again from its beginning.
    if (fs.fstatSync(fd).size < offset) offset = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, offset);
      if (n <= 0) break;
      offset += n;
      const lines = (partial + decoder.write(buffer.subarray(0, n))).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) await emit(line);
      if (ctx.out.closed) return;
    }
    if (final && partial) {
      await emit(partial);
      partial = '';
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
    ctx.io.stderr.write(`dispatch-watch: ${slug}: ${last.message}\n`);
    return EXIT.badInput;
  }
  if (!last.done) {
    ctx.io.stderr.write(`dispatch-watch: stopped before ${slug} was done\n`);
    return EXIT.failure;
  }
  return last.dispatch_state === 'exited' ? EXIT.ok : EXIT.runFailed;
};
