import { HISTORY_EVENTS } from '../history/events.js';
import { appendHistory } from '../history/append-history.js';
import { readHistory } from '../history/read-history.js';
import { fireHook } from '../hooks/event-hook.js';
import { slugPaths } from '../paths/state-paths.js';

/**
 * gave_up is a class, seen again by every tick; the event is the moment a task gets
 * there. So it is written (and the operator's hook told) once: when history has no
 * gave_up since the task's last run ended or its last clear.
 */
export const noteGaveUp = (stateDir: string, slug: string, reason: string, hook: string | undefined): void => {
  const paths = slugPaths(stateDir, slug);
  const events = readHistory(paths.history).records.map((r) => r.event);
  const last = (name: string) => events.lastIndexOf(name);
  if (last(HISTORY_EVENTS.gaveUp) > Math.max(last(HISTORY_EVENTS.runEnded), last(HISTORY_EVENTS.cleared), last(HISTORY_EVENTS.reaped))) return;
  appendHistory(paths.history, { event: HISTORY_EVENTS.gaveUp, slug, reason });
  fireHook(hook, 'gave_up', { reason }, { log: paths.log, history: paths.history, slug });
};
