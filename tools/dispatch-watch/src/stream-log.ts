import fs from 'node:fs';
import type { Io } from '@task-manager/core/cli/io';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { FailureError } from '@task-manager/core/errors/errors';
import type { RecordOutput } from '@task-manager/core/ndjson/output';
import { slugPaths } from '@task-manager/core/paths/state-paths';
import { nowIso } from '@task-manager/core/time/clock';

/** Prints a task's log (raw on a terminal, {"type":"log"} records otherwise); --follow tails it. */
export const streamLog = async (stateDir: string, slug: string, io: Io, out: RecordOutput, opts: { raw: boolean; follow: boolean; signal: AbortSignal }): Promise<ExitCode> => {
  const file = slugPaths(stateDir, slug).log;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new FailureError(`no log for ${slug} (${(error as NodeJS.ErrnoException).code}): was it dispatched?`, 'log_missing', { slug });
  }
  let offset = 0;
  let partial = '';
  const buffer = Buffer.alloc(64 * 1024);
  const drain = async (final: boolean) => {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, offset);
      if (n <= 0) break;
      offset += n;
      const text = partial + buffer.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (opts.raw) io.stdout.write(`${line}\n`);
        else await out.write({ type: 'log', slug, text: line, ts: nowIso() });
      }
    }
    if (final && partial) {
      if (opts.raw) io.stdout.write(`${partial}\n`);
      else await out.write({ type: 'log', slug, text: partial, ts: nowIso() });
      partial = '';
    }
  };
  await drain(!opts.follow);
  if (opts.follow) {
    await new Promise<void>((resolve) => {
      let busy = false;
      const poke = () => {
        if (busy) return;
        busy = true;
        void drain(false).finally(() => {
          busy = false;
          if (out.closed) stop();
        });
      };
      const watcher = fs.watch(file, poke);
      watcher.on('error', () => undefined);
      const timer = setInterval(poke, 1000);
      const stop = () => {
        watcher.close();
        clearInterval(timer);
        resolve();
      };
      opts.signal.addEventListener('abort', stop, { once: true });
    });
  }
  fs.closeSync(fd);
  return EXIT.ok;
};
