import { BadInputError } from '../errors/errors.js';
import { HISTORY_EVENTS } from '../history/events.js';
import type { Followup } from '../status/schema.js';
import type { Store } from '../store/store.js';
import { nowIso, nowMs, parseIsoMs } from '../time/clock.js';

/** One queued follow-up as `dispatch-continue --list` shows it. */
export interface QueuedRecord {
  type: 'queued';
  slug: string;
  followup_id: string;
  mode: Followup['mode'];
  /** 1 runs next. */
  position: number;
  queued_at: string;
  age_s: number | null;
  /** The first line of the prompt, at most 120 characters. */
  first_line: string;
  ts: string;
}

const firstLine = (prompt: string): string => {
  const line = prompt.trim().split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
};

/** The follow-ups waiting for a task, in the order they will run, read under the task's lock. */
export const listQueue = (store: Store, slug: string): Promise<QueuedRecord[]> =>
  store.withTask(slug, ({ status }) => {
    return (status?.followups ?? []).map((f, i) => {
      const queued = parseIsoMs(f.queued_at);
      return {
        type: 'queued' as const,
        slug,
        followup_id: f.id,
        mode: f.mode,
        position: i + 1,
        queued_at: f.queued_at,
        age_s: queued === undefined ? null : Math.max(0, Math.round((nowMs() - queued) / 1000)),
        first_line: firstLine(f.prompt),
        ts: nowIso(),
      };
    });
  });

/**
 * Removes one follow-up that has not started, under the same lock the supervisor takes
 * it with: it is either dropped here or run there, never both. A follow-up that is the
 * current run (or ran already) cannot be dropped: stop the run instead.
 */
export const dropFollowup = (store: Store, slug: string, id: string, by: string): Promise<{ type: 'dropped'; slug: string; followup_id: string; prompt_first_line: string; ts: string }> =>
  store.withTask(slug, async (section) => {
    const status = section.status;
    const found = status?.followups.find((f) => f.id === id);
    if (!status || !found) {
      const running = status?.followup_id === id ? ' (it is the current run: dispatch-stop stops it)' : '';
      throw new BadInputError(`task ${slug} has no queued follow-up ${id}${running}; see dispatch-continue ${slug} --list`, 'no_such_followup', { slug: slug, followup_id: id });
    }
    const interrupt = status.interrupt_requested === id;
    section.assertHeld();
    await section.write({ ...status, followups: status.followups.filter((f) => f.id !== id), interrupt_requested: interrupt ? null : status.interrupt_requested });
    section.history({ event: HISTORY_EVENTS.followupDropped, followup_id: id, by });
    return { type: 'dropped' as const, slug: slug, followup_id: id, prompt_first_line: firstLine(found.prompt), ts: nowIso() };
  });
