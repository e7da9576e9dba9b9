import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { followSnapshots, type WatchRecord } from '@task-manager/core/watch/follow';
import { matchesStates } from '@task-manager/core/watch/state-filter';
import type { WatchContext } from './context.js';
import { reportError } from './snapshot.js';
import { tableScreen } from './table-screen.js';

export interface FollowViewOptions {
  untilDone: boolean;
  /** --changes: no record for how things stood at the start, only what changes after. */
  changes?: boolean;
  signal: AbortSignal;
}

const isDone = (r: WatchRecord | undefined): boolean => r !== undefined && (r.type === 'error' || r.done);

/**
 * --follow: every record now, then one per change, until Ctrl-C. --until-done: the
 * dispatches that match at the start (all, the slugs given, or those --state selects)
 * are followed until each is done; exit 5 if one did not end `exited`.
 */
export const followView = async (ctx: WatchContext, slugs: string[] | undefined, options: FollowViewOptions): Promise<ExitCode> => {
  const latest = new Map<string, WatchRecord>();
  const shown = new Set<string>();
  const watched = new Set<string>();
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal.addEventListener('abort', stop, { once: true });
  let ready = false;
  const allDone = () => [...watched].every((slug) => isDone(latest.get(slug)));
  const screen = ctx.table ? tableScreen(ctx, () => [...latest.values()].filter((r) => options.untilDone || matchesStates(r, ctx.states))) : undefined;

  const onRecord = (record: WatchRecord) => {
    const slug = String(record.slug);
    if (options.untilDone) {
      if (!ready && matchesStates(record, ctx.states)) watched.add(slug);
      if (!watched.has(slug)) return;
    }
    const before = latest.get(slug);
    latest.set(slug, record);
    if (record.type === 'error' && before?.type !== 'error') reportError(ctx, record);
    if (screen) screen.update();
    else if (options.changes && !ready) {
      // --changes: the state at the start is not news (a task that ended yesterday).
    } else if (options.untilDone || matchesStates(record, ctx.states) || shown.has(slug)) {
      // A dispatch leaving the --state filter is shown once more, so a reader sees it go.
      if (matchesStates(record, ctx.states)) shown.add(slug);
      else shown.delete(slug);
      void ctx.out.write(record);
    }
    if (ctx.out.closed || (options.untilDone && ready && allDone())) stop();
  };

  await followSnapshots(ctx.store, ctx.stateDir, onRecord, {
    ...(slugs ? { slugs } : {}),
    wanted: (slug) => !options.untilDone || !ready || watched.has(slug),
    onReady: () => {
      ready = true;
      if (options.untilDone && allDone()) stop();
    },
    livenessMs: ctx.livenessMs,
    signal: controller.signal,
  });
  screen?.close();

  // The reader went away (`| head -1`): it has what it wanted; end quietly.
  if (ctx.out.closed) return worstExitCode(ctx.codes);
  if (options.untilDone) {
    if (!allDone()) {
      ctx.io.stderr.write('dispatch-watch: stopped before every watched dispatch was done\n');
      ctx.codes.push(EXIT.failure);
    } else if ([...watched].some((slug) => latest.get(slug)?.type === 'status' && latest.get(slug)?.dispatch_state !== 'exited')) {
      ctx.codes.push(EXIT.runFailed);
    }
  }
  return worstExitCode(ctx.codes);
};
