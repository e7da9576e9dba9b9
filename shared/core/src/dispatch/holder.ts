import type { DispatchState } from '../status/dispatch-state.js';
import type { StatusRecord } from '../status/schema.js';

/** Who blocks a new worker, for the conflict record: pid, run id, since when. */
export const holderDetails = (status: StatusRecord, state: DispatchState) => ({
  state,
  pid: state === 'orphaned' ? status.worker?.pid ?? null : status.owner?.pid ?? null,
  supervisor_pid: status.owner?.pid ?? null,
  worker_pid: status.worker?.pid ?? null,
  run_id: status.run_id,
  since: status.started_at ?? status.created_at,
});

export const holderMessage = (slug: string, status: StatusRecord, state: DispatchState): string => {
  const d = holderDetails(status, state);
  const what = state === 'orphaned' ? 'an orphaned worker (its supervisor died)' : 'a live worker';
  const hint = state === 'orphaned' ? '; stop it with `worker-reap --kill-orphans`' : '; queue a follow-up with `dispatch-continue` instead';
  const pids = state === 'orphaned' ? `worker pid ${d.worker_pid ?? '-'} (supervisor ${d.supervisor_pid ?? '-'} is dead)` : `supervisor pid ${d.supervisor_pid ?? '-'}, worker pid ${d.worker_pid ?? '-'}`;
  return `task ${slug} already has ${what}: ${pids}, run ${d.run_id}, since ${d.since}${hint}`;
};
