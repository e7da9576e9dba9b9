import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { drained } from '@task-manager/core/ndjson/output';
import { nowIso } from '@task-manager/core/time/clock';
import { LogRender } from '@task-manager/core/watch/log-render';
import { streamLog as readLog } from '@task-manager/core/watch/log-stream';
import { readSnapshot } from '@task-manager/core/watch/read-snapshot';
import type { WatchContext } from './context.js';

export interface LogOptions {
  follow: boolean;
  /** Stop following once the dispatch is done; exit 5 if it did not end `exited`. */
  untilDone: boolean;
  /** `current`, `all`, or a run id. */
  run: string;
  tail?: number;
  /** Rendered text for a person (a terminal, or --pretty); NDJSON otherwise. */
  pretty: boolean;
  signal: AbortSignal;
}

/**
 * --log: the task's log through the core log stream. For a person, each agent's events
 * rendered as text (control characters out); piped, one {"type":"log"} record per line
 * with the raw `text` and the `rendered` text (null when the line shows nothing).
 */
export const streamLog = async (ctx: WatchContext, slug: string, options: LogOptions): Promise<ExitCode> => {
  const first = await readSnapshot(ctx.store, ctx.stateDir, slug);
  const render = new LogRender(first.type === 'status' ? (first.worker ?? undefined) : undefined);
  const show = async (text: string | undefined) => {
    if (text === undefined) return;
    ctx.out.writeText(`${forTerminal(text, { multiline: true })}\n`);
    await drained(ctx.io.stdout);
  };
  const onLine = options.pretty
    ? (text: string) => show(render.line(text))
    : (text: string, cutBytes: number) => ctx.out.write({ type: 'log', slug, text, rendered: render.line(text) ?? null, ...(cutBytes ? { cut_chars: cutBytes } : {}), ts: nowIso() });
  const { last } = await readLog(ctx.store, ctx.stateDir, slug, {
    run: options.run,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    follow: options.follow,
    untilDone: options.untilDone,
    signal: options.signal,
    onLine,
    closed: () => ctx.out.closed,
  });
  if (options.pretty) await show(render.end());
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
