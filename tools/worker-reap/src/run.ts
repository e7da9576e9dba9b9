import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { Sink } from '@task-manager/core/cli/sink';
import { slugInputs } from '@task-manager/core/cli/slug-inputs';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { requireStateDir } from '@task-manager/core/paths/require-state-dir';
import { checkStateDir } from '@task-manager/core/fsx/state-dir';
import { checkHook, settleHooks } from '@task-manager/core/hooks/event-hook';
import { reapDispatches } from '@task-manager/core/reap/reap-dispatches';
import type { ReapOptions } from '@task-manager/core/reap/reap-slug';
import { nowIso } from '@task-manager/core/time/clock';

// On a terminal: one readable line per change, with no escape sequence from the data.
const line = (r: Record<string, unknown>): string =>
  `${forTerminal(
    r.type === 'reap'
      ? `${String(r.action).padEnd(19)} ${String(r.slug).padEnd(24)} ${r.from ?? ''}${r.to ? ` -> ${r.to}` : ''}  ${r.reason}${r.dry_run ? '  (dry run)' : ''}`
      : `${'error'.padEnd(19)} ${String(r.slug ?? r.source ?? '').padEnd(24)} ${r.message}`,
  )}\n`;

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config = resolveConfig(flags, io.env, io.cwd);
  requireStateDir(config);
  if (config.onEvent) checkHook(config.onEvent, '--on-event');
  const stateDir = config.stateDir;
  // It signals the processes a status names: only ever from a directory that is ours alone.
  checkStateDir(stateDir);
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
    for await (const item of reapDispatches(stateDir, slugs, options)) {
      if (item.type === 'failure') {
        await sink.error(item.error, { slug: item.slug, source: item.slug });
      } else {
        changes += 1;
        await sink.emit(item as unknown as Record<string, unknown>);
      }
      if (sink.closed) return;
    }
  };

  if (positionals.length === 0) await reap('all');
  // One slug at a time, as they arrive: `dispatch-watch --follow | worker-reap -` works too.
  else {
    for await (const input of slugInputs(positionals, io, () => [])) {
      if (sink.closed) break;
      if (input.slug) await reap([input.slug]);
      else if (input.error) await sink.errorRecord({ type: 'error', ...input.error, ts: nowIso() }, EXIT.badInput);
    }
  }
  if (table && changes === 0) io.stdout.write('nothing to reap\n');
  await settleHooks();
  return sink.exitCode();
};
