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
  limited: '33',
  error: '31',
};

/** The state a person should read: a held task that is not running shows as held. */
const shownState = (r: WatchRecord): string => (r.type === 'error' ? 'error' : r.held && r.done ? 'held' : r.dispatch_state);

// Live first (what needs watching), then trouble (what needs acting on), then the rest.
const RANK: Record<string, number> = { running: 0, orphaned: 0, starting: 0, error: 1, failed: 1, stalled: 1, interrupted: 1, worker_gone: 1, limited: 1, held: 1 };
const rank = (r: WatchRecord): number => RANK[shownState(r)] ?? 2;

/** Live, then trouble, then the rest; by task name within each. */
export const orderRows = (rows: WatchRecord[]): WatchRecord[] =>
  [...rows].sort((a, b) => rank(a) - rank(b) || String(a.slug).localeCompare(String(b.slug)));

/** True for rows that may be hidden when the screen is short: never a live one. */
export const isFinishedRow = (r: WatchRecord): boolean => rank(r) === 2;

const age = (s: number | null | undefined): string => {
  if (s === null || s === undefined) return '-';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};

const seconds = (fromIso: unknown, toIso?: unknown): number | null => {
  const from = typeof fromIso === 'string' ? Date.parse(fromIso) : NaN;
  if (Number.isNaN(from)) return null;
  const to = typeof toIso === 'string' ? Date.parse(toIso) : nowMs();
  return Math.max(0, Math.round(((Number.isNaN(to) ? nowMs() : to) - from) / 1000));
};

// r-20261124T220300Z-a1b2c3 → …a1b2c3: the random tail tells runs apart.
const shortRun = (id: unknown): string => (typeof id === 'string' && id.length > 8 ? `…${id.slice(-6)}` : String(id ?? '-'));
const money = (v: unknown): string => (typeof v === 'number' ? `$${v.toFixed(2)}` : '-');

const COLUMNS: Column[] = [
  { header: 'state', get: (r) => shownState(r as unknown as WatchRecord) },
  { header: 'task', get: (r) => r.slug },
  { header: 'worker', get: (r) => r.worker ?? '-' },
  // How long the current (or last) run has lasted.
  { header: 'run time', get: (r) => age(seconds(r.started_at, r.done ? r.ended_at : undefined)) },
  { header: 'output', get: (r) => age(seconds(r.last_output_at)) },
  { header: 'cost', get: (r) => money(r.cost_usd) },
  { header: 'queued', get: (r) => r.followups_pending ?? '-' },
  { header: 'run', get: (r) => shortRun(r.run_id) },
  { header: 'last', get: (r) => (r.type === 'error' ? r.message : r.done ? r.reason ?? r.outcome ?? '-' : r.last_line ?? '-') },
];

export interface TableOptions {
  color: boolean;
  /** Terminal columns; 0 or undefined: no limit. */
  width?: number | undefined;
}

/** running 2 · failed 1 · held 1 · cost today $1.25 — the line under the table. */
export const totalsLine = (records: WatchRecord[]): string => {
  const count = (states: string[]) => records.filter((r) => states.includes(shownState(r))).length;
  const today = new Date(nowMs()).toISOString().slice(0, 10);
  const cost = records.reduce((sum, r) => sum + (r.type !== 'error' && typeof r.cost_usd === 'number' && String(r.ended_at ?? '').startsWith(today) ? r.cost_usd : 0), 0);
  const parts = [`running ${count(['running', 'starting', 'orphaned'])}`, `failed ${count(['failed', 'stalled', 'interrupted', 'worker_gone', 'error'])}`];
  const held = count(['held']);
  const limited = count(['limited']);
  if (held) parts.push(`held ${held}`);
  if (limited) parts.push(`limited ${limited}`);
  parts.push(`cost today $${cost.toFixed(2)}`);
  return `${parts.join(' · ')}\n`;
};

/** The table a person sees on a terminal: live rows first, then trouble, then the rest. */
export const renderTable = (records: WatchRecord[], options: TableOptions): string => {
  const text = formatTable(orderRows(records) as unknown as Record<string, unknown>[], COLUMNS, options.width ?? 0);
  if (!options.color) return text;
  // Colour the state cell after alignment, so escape codes do not skew the widths.
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^(\S+)/, (s) => (COLORS[s] ? `\x1b[${COLORS[s]}m${s}\x1b[0m` : s))))
    .join('\n');
};
