import type { HistoryRecord } from '../history/read-history.js';

// Enough context to carry on, small enough for any agent's first message.
const MAX_RECAP_CHARS = 12_000;

const entry = (record: HistoryRecord): string | undefined => {
  if (record.event === 'dispatch_requested' && typeof record.prompt === 'string') return `Task prompt:\n${record.prompt}`;
  if (record.event === 'followup_queued' && typeof record.prompt === 'string') return `Follow-up instruction:\n${record.prompt}`;
  if (record.event === 'run_ended') {
    const text = typeof record.result_text === 'string' && record.result_text ? `; it said: ${record.result_text}` : '';
    return `A run ended ${String(record.outcome)}${record.reason ? ` (${String(record.reason)})` : ''}${text}`;
  }
  return undefined;
};

/**
 * The first prompt of a fresh session that replaces a forgotten one: what the task was,
 * every follow-up and how each run ended (the newest kept when it is too long), then
 * the instruction to carry out now.
 */
export const buildRecapPrompt = (records: HistoryRecord[], prompt: string): string => {
  const parts: string[] = [];
  let size = 0;
  for (const record of [...records].reverse()) {
    const text = entry(record);
    if (!text) continue;
    if (size + text.length > MAX_RECAP_CHARS) break;
    parts.unshift(text);
    size += text.length;
  }
  return [
    'You are continuing work on a task in this repository (this git worktree). The earlier agent session is no longer available; here is what happened so far:',
    '',
    ...parts.map((p) => `- ${p.replace(/\n/g, '\n  ')}`),
    '',
    'Look at the worktree (git log, git status) to see the work already done, then carry out this instruction:',
    '',
    prompt,
  ].join('\n');
};
