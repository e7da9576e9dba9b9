import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsColor, wantsTable } from '@task-manager/core/cli/output-mode';
import { slugInputs } from '@task-manager/core/cli/slug-inputs';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { checkStateDir } from '@task-manager/core/fsx/state-dir';
import { UsageError } from '@task-manager/core/errors/errors';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { requireStateDir } from '@task-manager/core/paths/require-state-dir';
import { validateSlug } from '@task-manager/core/paths/slug';
import { nowIso } from '@task-manager/core/time/clock';
import { parseStateFilter } from '@task-manager/core/watch/state-filter';
import { withStore } from '@task-manager/core/store/open-store';
import { checkOptions } from './check-options.js';
import type { WatchContext } from './context.js';

const livenessInterval = (raw: unknown): number => {
  if (raw === undefined) return 2000;
  const seconds = parseNonNegative('--interval', String(raw));
  if (seconds === 0) throw new UsageError('--interval must be more than 0 seconds', { option: '--interval' });
  return seconds * 1000;
};

/** Ctrl-C or SIGTERM ends a follow cleanly. */
const stopOnSignals = (): AbortController => {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller;
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config = resolveConfig(flags, io.env, io.cwd);
  const follow = Boolean(flags.follow);
  const untilDone = Boolean(flags['until-done']);
  if (flags.changes && !follow) throw new UsageError('--changes goes with --follow: it leaves out the records of the moment it starts');
  const choices = checkOptions(flags, positionals);
  requireStateDir(config);
  // Read-only, but what it prints comes from there: a directory others can write is refused.
  checkStateDir(config.stateDir);
  return withStore(config, async (store) => {
  await store.prepare({ write: false });
  const ctx: WatchContext = {
    stateDir: config.stateDir,
    store,
    io,
    out: new RecordOutput(io.stdout),
    table: wantsTable(io, flags),
    color: wantsColor(io),
    states: parseStateFilter(flags.state),
    livenessMs: livenessInterval(flags.interval),
    codes: [EXIT.ok],
  };

  // A person reads rendered text: on a terminal, or asked for with --pretty.
  const pretty = Boolean(flags.pretty) || ctx.table;
  if (flags.history !== undefined) {
    const { showHistory } = await import('./history-view.js');
    return showHistory(ctx, validateSlug(flags.history), pretty);
  }
  if (flags.log !== undefined) {
    const slug = validateSlug(flags.log);
    const { streamLog } = await import('./stream-log.js');
    return streamLog(ctx, slug, { follow: follow || untilDone, untilDone, ...choices, pretty, signal: stopOnSignals().signal });
  }

  // The slugs: those given (argv or stdin records), or every dispatch in the directory.
  let slugs: string[] | undefined;
  if (positionals.length > 0) {
    slugs = [];
    for await (const input of slugInputs(positionals, io, () => [])) {
      if (input.slug) slugs.push(input.slug);
      else if (input.error) {
        io.stderr.write(`dispatch-watch: ${input.error.source}: ${forTerminal(input.error.message)}\n`);
        ctx.codes.push(EXIT.badInput);
        // On a terminal the stderr line is the report; a pipe gets the record too.
        if (!ctx.table) await ctx.out.write({ type: 'error', ...input.error, ts: nowIso() });
      }
    }
    slugs = [...new Set(slugs)];
  }

  if (follow || untilDone) {
    const { followView } = await import('./follow-view.js');
    return followView(ctx, slugs, { untilDone, changes: Boolean(flags.changes), signal: stopOnSignals().signal });
  }
  const { writeSnapshotView } = await import('./snapshot.js');
  return writeSnapshotView(ctx, slugs);
  });
};
