import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import type { WatchRecord } from '@task-manager/core/watch/follow';
import { readSnapshot, snapshotOf } from '@task-manager/core/watch/read-snapshot';
import { errorRecord } from '@task-manager/core/ndjson/error-record';
import { matchesStates } from '@task-manager/core/watch/state-filter';
import type { WatchContext } from './context.js';
import type { RecordOutput } from '@task-manager/core/ndjson/output';
import type { StatusRecord } from '@task-manager/core/status/schema';

export const reportError = (ctx: WatchContext, record: WatchRecord): void => {
  if (record.type !== 'error') return;
  ctx.io.stderr.write(`dispatch-watch: ${forTerminal(`${record.slug ? `${record.slug}: ` : ''}${record.message}`)}\n`);
  ctx.codes.push(EXIT.badInput);
};

/** Every dispatch's record, each built as it is taken (a damaged status is its error record). */
function* recordsOf(ctx: WatchContext, statuses: Iterable<{ slug: string; status?: StatusRecord; error?: unknown }>): Generator<WatchRecord> {
  for (const { slug, status, error } of statuses) yield status ? snapshotOf(ctx.stateDir, status) : errorRecord(error, { slug });
}

/**
 * The records of the slugs given, or of every dispatch in the store (read at once: one
 * query on PostgreSQL), in slug order. Then taken without an await per record: a
 * snapshot of 1,000 dispatches spent more on async steps than on building its records.
 */
const readRecords = async (ctx: WatchContext, slugs: string[] | undefined): Promise<Iterable<WatchRecord>> => {
  if (!slugs) return recordsOf(ctx, await ctx.store.readAllStatuses());
  const records: WatchRecord[] = [];
  for (const slug of slugs) records.push(await readSnapshot(ctx.store, ctx.stateDir, slug));
  return records;
};

/**
 * One record per dispatch, read from the statuses alone (no logs but a live worker's
 * tail). Written in chunks as it goes, holding no record longer than its chunk: 10,000
 * dispatches stay a few writes and little garbage.
 */
export const writeSnapshotView = async (ctx: WatchContext, slugs: string[] | undefined): Promise<ExitCode> => {
  const records = await readRecords(ctx, slugs);
  if (ctx.table) {
    const shown: WatchRecord[] = [];
    for (const r of records) if (matchesStates(r, ctx.states)) shown.push(r);
    shown.forEach((r) => reportError(ctx, r));
    const { renderTable, totalsLine } = await import('@task-manager/core/watch/table-view');
    ctx.io.stdout.write(shown.length ? `${renderTable(shown, { color: ctx.color, width: ctx.io.stdout.columns })}${totalsLine(shown)}` : 'no dispatches\n');
    return worstExitCode(ctx.codes);
  }
  const out: RecordOutput = ctx.out;
  for (const record of records) {
    if (!matchesStates(record, ctx.states)) continue;
    reportError(ctx, record);
    await out.push(record);
    if (out.closed) break;
  }
  await out.flush();
  return worstExitCode(ctx.codes);
};
