import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import type { WatchRecord } from '@task-manager/core/watch/follow';
import { readSnapshot } from '@task-manager/core/watch/read-snapshot';
import { matchesStates } from '@task-manager/core/watch/state-filter';
import type { WatchContext } from './context.js';
import type { RecordOutput } from '@task-manager/core/ndjson/output';

export const reportError = (ctx: WatchContext, record: WatchRecord): void => {
  if (record.type !== 'error') return;
  ctx.io.stderr.write(`dispatch-watch: ${forTerminal(`${record.slug ? `${record.slug}: ` : ''}${record.message}`)}\n`);
  ctx.codes.push(EXIT.badInput);
};

/**
 * One record per dispatch, read from the status files alone (no logs). Written in
 * chunks as it goes, holding no record longer than its chunk: 10,000 dispatches stay
 * a few writes and little garbage.
 */
export const writeSnapshotView = async (ctx: WatchContext, slugs: string[]): Promise<ExitCode> => {
  if (ctx.table) {
    const records = slugs.map((slug) => readSnapshot(ctx.stateDir, slug)).filter((r) => matchesStates(r, ctx.states));
    records.forEach((r) => reportError(ctx, r));
    const { renderTable, totalsLine } = await import('@task-manager/core/watch/table-view');
    ctx.io.stdout.write(records.length ? `${renderTable(records, { color: ctx.color, width: ctx.io.stdout.columns })}${totalsLine(records)}` : 'no dispatches\n');
    return worstExitCode(ctx.codes);
  }
  const out: RecordOutput = ctx.out;
  for (const slug of slugs) {
    const record = readSnapshot(ctx.stateDir, slug);
    if (!matchesStates(record, ctx.states)) continue;
    reportError(ctx, record);
    await out.push(record);
    if (out.closed) break;
  }
  await out.flush();
  return worstExitCode(ctx.codes);
};
