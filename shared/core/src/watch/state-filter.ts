import { UsageError } from '../errors/errors.js';
import { STATES } from '../status/schema.js';
import type { WatchRecord } from './follow.js';

/** Every value `--state` accepts: the written states and the derived `orphaned`. */
export const WATCH_STATES: readonly string[] = [...STATES, 'orphaned'];

/** `--state running,orphaned` as a set; undefined when not given. */
export const parseStateFilter = (raw: unknown): Set<string> | undefined => {
  if (raw === undefined) return undefined;
  const states = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  if (states.length === 0) throw new UsageError(`--state needs one or more of ${WATCH_STATES.join(', ')}`);
  for (const s of states) {
    if (!WATCH_STATES.includes(s)) throw new UsageError(`--state: unknown state ${JSON.stringify(s)}; use ${WATCH_STATES.join(', ')}`, { state: s });
  }
  return new Set(states);
};

/**
 * A record passes when its written state or its derived dispatch_state is listed: so
 * `--state running` also finds the runs whose file still says running although they
 * died (what `| worker-reap -` is for). Error records always pass: never hidden.
 */
export const matchesStates = (record: WatchRecord, states: Set<string> | undefined): boolean =>
  !states || record.type === 'error' || states.has(record.dispatch_state) || states.has(record.state);
