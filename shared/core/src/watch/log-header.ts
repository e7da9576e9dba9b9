import { firstLine } from '../workers/tool-render.js';

/** What the supervisor writes before each run in the task's log. */
export interface RunHeader {
  runId: string;
  slug: string;
  attempt: number;
  worker: string;
  at: string;
  /** The follow-up this run carries; null for a dispatch prompt. */
  followupId?: string | null;
  /** The first line of the run's prompt (cut to about 80 characters). */
  prompt?: string;
}

const PREFIX = '=== task-manager: run ';
// The part after `at ISO` is optional: logs written before it was added still parse.
const HEADER = /^=== task-manager: run (\S+) of (\S+) \(attempt (\d+), worker ([^\s)]+)\) at (\S+?)(?:; (.*))? ===$/;
const FOLLOWUP = /^follow-up (\S+): /;

/**
 * The header line (without its newline): which run, and which prompt it carried — the
 * follow-up id and the prompt's first line, quoted as JSON so that no prompt can end
 * the line or look like another header.
 */
export const runHeader = (h: Omit<RunHeader, 'prompt'> & { prompt: string }): string => {
  const quoted = JSON.stringify(firstLine(h.prompt, 80));
  const carried = h.followupId ? `follow-up ${h.followupId}: ${quoted}` : `prompt ${quoted}`;
  return `${PREFIX}${h.runId} of ${h.slug} (attempt ${h.attempt}, worker ${h.worker}) at ${h.at}; ${carried} ===`;
};

/** The header's fields, or undefined when the line is not a run header. */
export const parseRunHeader = (line: string): RunHeader | undefined => {
  if (!line.startsWith(PREFIX)) return undefined;
  const m = HEADER.exec(line.trimEnd());
  if (!m) return undefined;
  const header: RunHeader = { runId: m[1] as string, slug: m[2] as string, attempt: Number(m[3]), worker: m[4] as string, at: m[5] as string };
  const carried = m[6];
  if (carried !== undefined) {
    const followup = FOLLOWUP.exec(carried);
    header.followupId = followup ? (followup[1] as string) : null;
    const quoted = followup ? carried.slice(followup[0].length) : carried.replace(/^prompt /, '');
    try {
      header.prompt = String(JSON.parse(quoted));
    } catch {
      header.prompt = quoted;
    }
  }
  return header;
};
