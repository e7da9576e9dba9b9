import { runBatch } from '@task-manager/core/cli/batch';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { Sink } from '@task-manager/core/cli/sink';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { ensureStateDir } from '@task-manager/core/fsx/state-dir';
import { holdTask, releaseHold } from '@task-manager/core/hold/hold-task';
import { whoAmI } from '@task-manager/core/hold/who';
import { validateSlug } from '@task-manager/core/paths/slug';
import { withStore } from '@task-manager/core/store/open-store';

const human = (r: Record<string, any>): string =>
  `${String(r.result).padEnd(12)} ${r.slug}  ${r.run_id ? `run ${r.run_id}  ` : ''}state ${r.state ?? '-'}${r.followups_pending ? `  ${r.followups_pending} follow-up(s) stay queued` : ''}\n`;

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  if (positionals.length === 0) throw new UsageError('no task given: pass one or more SLUGs, or - to read records from stdin');
  if (flags.release && (flags.reason !== undefined || flags.grace !== undefined || flags.timeout !== undefined)) {
    throw new UsageError('--release lifts a hold and stops nothing; --reason, --grace and --timeout would be ignored');
  }
  const config = resolveConfig(flags, io.env, io.cwd);
  const waitMs = flags.timeout === undefined ? config.graceMs + 30_000 : parseNonNegative('--timeout', String(flags.timeout)) * 1000;
  const reason = typeof flags.reason === 'string' && flags.reason.trim() !== '' ? flags.reason : undefined;
  const by = whoAmI('dispatch-stop');
  // A hold can come before anything ran (so before the state directory exists).
  if (!flags.release) ensureStateDir(config.stateDir);
  const sink = new Sink({ name: 'dispatch-stop', io, table: wantsTable(io, flags), human });
  return withStore(config, async (store) => {
  await store.prepare({ write: !flags.release });
  return runBatch(sink, positionals, io, async ({ value }) => {
    const slug = validateSlug(value.slug);
    const record = flags.release ? await releaseHold(store, slug, by) : await holdTask(store, slug, { by, reason, graceMs: config.graceMs, waitMs });
    await sink.emit(record as unknown as Record<string, unknown>);
    if (record.result === 'timeout') {
      io.stderr.write(`dispatch-stop: ${record.slug}: the run was still stopping after ${waitMs / 1000} s; it stays held (dispatch-watch ${record.slug})\n`);
      return EXIT.failure;
    }
    return EXIT.ok;
  });
  });
};
