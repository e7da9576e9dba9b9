import { StatusFileError } from '../errors/state-errors.js';
import { HISTORY_EVENTS } from '../history/events.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../time/clock.js';

/** The operator's way out of gave_up: the failure count starts over. */
export const clearGaveUp = (store: Store, slug: string): Promise<{ type: 'cleared'; slug: string; failures_before: number; ts: string }> =>
  store.withTask(slug, async (section) => {
    const status = section.status;
    if (!status) throw new StatusFileError(store.statusName(slug), 'does not exist', 'status_missing');
    section.assertHeld();
    const ts = nowIso();
    await section.write({ ...status, failures: 0, cleared_at: ts });
    section.history({ event: HISTORY_EVENTS.cleared, failures_before: status.failures });
    return { type: 'cleared' as const, slug, failures_before: status.failures, ts };
  });
