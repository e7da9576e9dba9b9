import { formatTable, type Column } from '../cli/table.js';
import type { WatchRecord } from './follow.js';

const COLORS: Record<string, string> = {
  running: '32',
  starting: '36',
  exited: '2',
  failed: '31',
  stalled: '33',
  interrupted: '33',
  worker_gone: '31',
  orphaned: '35',
};

const age = (s: number | null | undefined): string => {
  if (s === null || s === undefined) return '-';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};

const since = (iso: unknown): string => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? '-' : age(Math.max(0, Math.round((Date.now() - ms) / 1000)));
};

/** The table a person sees on a terminal: state, task, age, last output, follow-ups. */
export const renderTable = (records: WatchRecord[], color: boolean, width = 120): string => {
  const paint = (state: string) => (color && COLORS[state] ? `\x1b[${COLORS[state]}m${state}\x1b[0m` : state);
  const columns: Column[] = [
    { header: 'state', get: (r) => (r.type === 'error' ? 'error' : r.dispatch_state) },
    { header: 'task', get: (r) => r.slug },
    { header: 'age', get: (r) => since(r.started_at) },
    { header: 'output', get: (r) => age(r.last_output_age_s as number | null) },
    { header: 'follow-ups', get: (r) => r.followups_pending ?? '-' },
    { header: 'run', get: (r) => r.run_id ?? '-' },
    { header: 'outcome', get: (r) => (r.type === 'error' ? r.message : r.reason ?? r.outcome ?? '-') },
  ];
  const rows = records as unknown as Record<string, unknown>[];
  const text = formatTable(rows, columns, width);
  if (!color) return text;
  // Colour the state cell after alignment, so escape codes do not skew the widths.
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^(\S+)/, (s) => paint(s))))
    .join('\n');
};
