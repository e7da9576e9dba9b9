import { HISTORY_EVENTS } from '../history/events.js';
import { appendHistory } from '../history/append-history.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { slugPaths } from '../paths/state-paths.js';
import { readStatus } from '../status/read-status.js';
import { writeStatus } from '../status/write-status.js';
import { nowIso } from '../time/clock.js';

/** The operator's way out of gave_up: the failure count starts over. */
export const clearGaveUp = (stateDir: string, slug: string): Promise<{ type: 'cleared'; slug: string; failures_before: number; ts: string }> => {
  const paths = slugPaths(stateDir, slug);
  return withCriticalSection(paths.lock, (section) => {
    const status = readStatus(paths.status);
    section.assertHeld();
    const ts = nowIso();
    writeStatus(paths.status, { ...status, failures: 0, cleared_at: ts });
    appendHistory(paths.history, { event: HISTORY_EVENTS.cleared, slug, failures_before: status.failures });
    return { type: 'cleared' as const, slug, failures_before: status.failures, ts };
  });
};
