import { formatTable, type Column } from '../cli/table.js';
import { nowMs } from '../time/clock.js';
import type { WatchRecord } from './follow.js';

// ANSI colours by state: live green/cyan, trouble red/yellow/magenta, done dim.
const COLORS: Record<string, string> = {
  running: '32',
  starting: '36',
  exited: '2',
  failed: '31',
  stalled: '33',
  interrupted: '33',
  worker_gone: '31',
  orphaned: '35',
  stopped: '2',
  held: '35',
  error: '31',
};

const age = (s: number | null | undefined): string => {
  if (s === null || s === undefined) return '-';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};

const since = (iso: unknown): string => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? '-' : age(Math.max(0, Math.round((nowMs() - ms) / 1000)));
};

const COLUMNS: Column[] = [
  // A held task that is not running shows as held: that is what the operator must act on.
  { header: 'state', get: (r) => (r.type === 'error' ? 'error' : r.held && r.done ? 'held' : r.dispatch_state) },
  { header: 'task', get: (r) => r.slug },
  { header: 'age', get: (r) => since(r.started_at) },
  { header: 'output', get: (r) => since(r.last_output_at) },
  { header: 'follow-ups', get: (r) => r.followups_pending ?? '-' },
  { header: 'run', get: (r) => r.run_id ?? '-' },
  { header: 'outcome', get: (r) => (r.type === 'error' ? r.message : r.reason ?? r.outcome ?? '-') },
];

export interface TableOptions {
  color: boolean;
  /** Terminal columns; 0 or undefined: no limit. */
  width?: number | undefined;
}

/** The table a person sees on a terminal: state, task, age, last output, follow-ups. */
export const renderTable = (records: WatchRecord[], options: TableOptions): string => {
  const text = formatTable(records as unknown as Record<string, unknown>[], COLUMNS, options.width ?? 0);
  if (!options.color) return text;
  // Colour the state cell after alignment, so escape codes do not skew the widths.
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^(\S+)/, (s) => (COLORS[s] ? `\x1b[${COLORS[s]}m${s}\x1b[0m` : s))))
    .join('\n');
};
