import { forTerminal } from './terminal-text.js';

export interface Column {
  header: string;
  get: (row: Record<string, unknown>) => unknown;
}

// A cell can hold an agent's error or a file name: no escape sequence reaches the terminal.
const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  return forTerminal(typeof value === 'object' ? JSON.stringify(value) : String(value));
};

/** A plain aligned table for people; machines read the NDJSON. */
export const formatTable = (rows: Record<string, unknown>[], columns: Column[], maxWidth = 120): string => {
  const cells = rows.map((row) => columns.map((c) => cell(c.get(row)).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(48, Math.max(c.header.length, ...cells.map((r) => r[i]!.length))));
  const fit = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
  // A pseudo-terminal may report 0 columns: then there is no width to keep to.
  const line = (values: string[]) => {
    const text = values.map((v, i) => fit(v, widths[i]!)).join('  ').trimEnd();
    return maxWidth > 0 ? text.slice(0, maxWidth) : text;
  };
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
};
