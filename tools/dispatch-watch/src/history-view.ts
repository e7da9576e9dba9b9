import { formatTable, type Column } from '@task-manager/core/cli/table';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { BadInputError } from '@task-manager/core/errors/errors';
import type { HistoryRecord } from '@task-manager/core/history/read-history';
import { nowIso } from '@task-manager/core/time/clock';
import { firstLine } from '@task-manager/core/workers/tool-render';
import type { WatchContext } from './context.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The prompt each record stands for: its own (dispatch_requested, followup_queued), or
 * for a run, the follow-up it carried — or, without one, the last dispatch prompt.
 */
const promptsOf = (records: HistoryRecord[]): (string | undefined)[] => {
  const byFollowup = new Map<string, string>();
  let dispatched: string | undefined;
  return records.map((r) => {
    const own = text(r.prompt);
    if (r.event === 'dispatch_requested' && own) dispatched = own;
    if (r.event === 'followup_queued' && own && text(r.followup_id)) byFollowup.set(r.followup_id as string, own);
    if (own) return own;
    if (r.event !== 'run_started') return undefined;
    return text(r.followup_id) ? byFollowup.get(r.followup_id as string) : dispatched;
  });
};

const cost = (v: unknown) => (typeof v === 'number' ? `$${v.toFixed(4)}` : undefined);
const outcome = (r: HistoryRecord) => {
  const o = text(r.outcome) ?? (r.event === 'reaped' ? text(r.to) : undefined);
  const reason = r.outcome !== 'ok' ? text(r.reason) : undefined;
  return o && reason ? `${o}: ${reason}` : o;
};

type Row = { record: HistoryRecord; prompt: string | undefined };
const COLUMNS: Column[] = [
  { header: 'time', get: (row) => (row as Row).record.ts?.replace('T', ' ').slice(0, 19) },
  { header: 'event', get: (row) => (row as Row).record.event },
  { header: 'run', get: (row) => (row as Row).record.run_id },
  { header: 'prompt', get: (row) => ((row as Row).prompt === undefined ? undefined : firstLine((row as Row).prompt as string, 48)) },
  { header: 'outcome', get: (row) => outcome((row as Row).record) },
  { header: 'cost', get: (row) => cost((row as Row).record.cost_usd) },
];

/** --history: the task's history, a table for a person, the records as they are when piped. */
export const showHistory = async (ctx: WatchContext, slug: string, pretty: boolean): Promise<ExitCode> => {
  const file = ctx.store.historyName(slug);
  const { records, damaged, exists } = await ctx.store.readHistory(slug);
  if (!exists) throw new BadInputError(`no history for ${slug} (${file} does not exist): was it dispatched?`, 'history_missing', { slug });
  for (const d of damaged) {
    ctx.io.stderr.write(`dispatch-watch: ${slug}: ${file} line ${d.line}: ${d.reason}\n`);
    ctx.codes.push(EXIT.badInput);
  }
  if (pretty) {
    const prompts = promptsOf(records);
    const rows = records.map((record, i) => {
      // Everything in a cell is data: no control character reaches the terminal.
      const clean = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'string' ? forTerminal(v) : v])) as HistoryRecord;
      const prompt = prompts[i];
      return { record: clean, prompt: prompt === undefined ? undefined : forTerminal(prompt.split('\n', 1)[0] as string) };
    });
    ctx.out.writeText(records.length ? formatTable(rows, COLUMNS, ctx.io.stdout.columns ?? 0) : 'no history\n');
    return worstExitCode(ctx.codes);
  }
  for (const d of damaged) await ctx.out.push({ type: 'error', code: 'history_damaged', slug, message: `${file} line ${d.line}: ${d.reason}`, line: d.line, ts: nowIso() });
  for (const record of records) {
    await ctx.out.push(record);
    if (ctx.out.closed) break;
  }
  await ctx.out.flush();
  return worstExitCode(ctx.codes);
};
