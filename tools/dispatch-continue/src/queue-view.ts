import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { Sink } from '@task-manager/core/cli/sink';
import type { Config } from '@task-manager/core/config/resolve-config';
import type { ExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { dropFollowup, listQueue } from '@task-manager/core/followups/queue-ops';
import { whoAmI } from '@task-manager/core/hold/who';
import { validateSlug } from '@task-manager/core/paths/slug';
import { withStore } from '@task-manager/core/store/open-store';

const human = (r: Record<string, any>): string =>
  r.type === 'queued'
    ? `${String(r.position).padStart(3)}  ${r.followup_id}  ${String(r.mode).padEnd(9)} ${String(r.age_s ?? '-').padStart(6)}s  ${r.first_line}\n`
    : `dropped  ${r.slug}  ${r.followup_id}  ${r.prompt_first_line}\n`;

/** `--list` (the queue, in order) and `--drop ID` (one follow-up that has not started). */
export const queueView = async ({ flags, positionals }: ParsedArgs, io: Io, config: Config): Promise<ExitCode> => {
  if (flags.list && flags.drop !== undefined) throw new UsageError('give --list or --drop, not both');
  const ignored = ['prompt', 'prompt-file', 'interrupt', 'force'].filter((f) => flags[f] !== undefined && flags[f] !== false);
  if (ignored.length) throw new UsageError(`--list and --drop send nothing: remove --${ignored.join(', --')}`);
  if (positionals.length !== 1 || positionals[0] === '-') throw new UsageError('--list and --drop take exactly one SLUG');
  const slug = validateSlug(positionals[0]);
  const sink = new Sink({ name: 'dispatch-continue', io, table: wantsTable(io, flags), human });
  return withStore(config, async (store) => {
    if (flags.list) {
      const queue = await listQueue(store, slug);
      if (sink.table && queue.length === 0) io.stdout.write(`no follow-ups queued for ${slug}\n`);
      for (const record of queue) await sink.emit(record as unknown as Record<string, unknown>);
    } else {
      await sink.emit(await dropFollowup(store, slug, String(flags.drop), whoAmI('dispatch-continue')));
    }
    return sink.exitCode();
  });
};
