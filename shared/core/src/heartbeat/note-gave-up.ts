import { HISTORY_EVENTS } from '../history/events.js';
import { fireHook } from '../hooks/event-hook.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';

/**
 * gave_up is a class, seen again by every tick; the event is the moment a task gets
 * there. So it is written (and the operator's hook told) once: when history has no
 * gave_up since the task's last run ended or its last clear.
 */
export const noteGaveUp = async (store: Store, stateDir: string, slug: string, reason: string, hook: string | undefined): Promise<void> => {
  const events = (await store.readHistory(slug)).records.map((r) => r.event);
  const last = (name: string) => events.lastIndexOf(name);
  if (last(HISTORY_EVENTS.gaveUp) > Math.max(last(HISTORY_EVENTS.runEnded), last(HISTORY_EVENTS.cleared), last(HISTORY_EVENTS.reaped))) return;
  await store.appendHistory(slug, { event: HISTORY_EVENTS.gaveUp, reason });
  fireHook(hook, 'gave_up', { reason }, { log: runLogPath(stateDir, slug), slug, store });
};
