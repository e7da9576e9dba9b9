import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { Sink } from '@task-manager/core/cli/sink';
import { slugInputs } from '@task-manager/core/cli/slug-inputs';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { requireStateDir } from '@task-manager/core/paths/require-state-dir';
import { checkStateDir } from '@task-manager/core/fsx/state-dir';
import { checkHook, settleHooks } from '@task-manager/core/hooks/event-hook';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { UsageError } from '@task-manager/core/errors/errors';
import { archiveTask } from '@task-manager/core/reap/archive-task';
import { pruneTask } from '@task-manager/core/reap/prune-task';
import { withStore } from '@task-manager/core/store/open-store';
import { reapDispatches } from '@task-manager/core/reap/reap-dispatches';
import type { ReapOptions } from '@task-manager/core/reap/reap-slug';
import { nowIso } from '@task-manager/core/time/clock';

// On a terminal: one readable line per change (the sink keeps escape sequences out).
const line = (r: Record<string, unknown>): string =>
  r.type === 'reap' || r.type === 'prune' || r.type === 'archive'
    ? `${String(r.action).padEnd(19)} ${String(r.slug).padEnd(24)} ${r.from ?? ''}${r.to ? ` -> ${r.to}` : ''}${r.from || r.to ? '  ' : ''}${r.reason}${r.dry_run ? '  (dry run)' : ''}\n`
    : `${'error'.padEnd(19)} ${String(r.slug ?? r.source ?? '').padEnd(24)} ${r.message}\n`;

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config = resolveConfig(flags, io.env, io.cwd);
  requireStateDir(config);
  if (config.onEvent) checkHook(config.onEvent, '--on-event');
  const stateDir = config.stateDir;
  // It signals the processes a status names: only ever from a directory that is ours alone.
  checkStateDir(stateDir);
  return withStore(config, async (store) => {
  await store.prepare({ write: false });
  const table = wantsTable(io, flags);
  const sink = new Sink({ name: 'worker-reap', io, table, human: line });
  let changes = 0;
  const options: ReapOptions = {
    dryRun: Boolean(flags['dry-run']),
    killOrphans: Boolean(flags['kill-orphans']),
    graceMs: config.graceMs,
    by: 'worker-reap',
    onEvent: config.onEvent ?? null,
  };
  const reap = async (slugs: string[] | 'all') => {
    for await (const item of reapDispatches(store, stateDir, slugs, options)) {
      if (item.type === 'failure') {
        await sink.error(item.error, { slug: item.slug, source: item.slug });
      } else {
        changes += 1;
        await sink.emit(item as unknown as Record<string, unknown>);
      }
      if (sink.closed) return;
    }
  };

  if (flags.base !== undefined && !flags.prune) throw new UsageError('--base goes with --prune (the branch a task branch must be merged into)');
  const archiveDays = flags.archive === undefined ? undefined : parseNonNegative('--archive', String(flags.archive));
  // Cleaning up comes after reaping, on the same tasks: a run found dead is then over.
  const cleanUp = async (slug: string) => {
    try {
      if (flags.prune) await sink.emit((await pruneTask(store, slug, { ...(typeof flags.base === 'string' ? { base: flags.base } : {}), dryRun: options.dryRun })) as unknown as Record<string, unknown>);
      if (archiveDays !== undefined) await sink.emit((await archiveTask(store, stateDir, slug, { days: archiveDays, dryRun: options.dryRun })) as unknown as Record<string, unknown>);
      if (flags.prune || archiveDays !== undefined) changes += 1;
    } catch (error) {
      await sink.error(error, { slug, source: slug });
    }
  };
  if (positionals.length === 0) {
    await reap('all');
    if (flags.prune || archiveDays !== undefined) for (const slug of await store.listSlugs()) await cleanUp(slug);
  }
  // One slug at a time, as they arrive: `dispatch-watch --follow | worker-reap -` works too.
  else {
    for await (const input of slugInputs(positionals, io, () => [])) {
      if (sink.closed) break;
      if (input.slug) {
        await reap([input.slug]);
        await cleanUp(input.slug);
      } else if (input.error) await sink.errorRecord({ type: 'error', ...input.error, ts: nowIso() }, EXIT.badInput);
    }
  }
  if (table && changes === 0) io.stdout.write('nothing to reap\n');
  await settleHooks();
  return sink.exitCode();
  });
};
