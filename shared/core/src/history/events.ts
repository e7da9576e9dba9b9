/**
 * The history events every tool appends to dispatch-<slug>.history.jsonl. Each line
 * is `{"type":"history","ts":…,"event":…,"slug":…, …fields}`; docs/records.md lists
 * the fields. Together they tell the whole story of a task's prompts and runs.
 */
export const HISTORY_EVENTS = {
  /** dispatch (or hb-tick, or continue on an idle task) asked for a run: prompt, worker, requested_by. */
  dispatchRequested: 'dispatch_requested',
  /** A chain of runs was claimed: fence, run_id, owner pid. */
  claimed: 'claimed',
  /** dispatch-continue added a follow-up: followup_id, prompt, mode, position. */
  followupQueued: 'followup_queued',
  /** An --on-event hook failed (exit code, signal, timeout, not found): hook_event, reason. */
  hookFailed: 'hook_failed',
  /** hb-tick found the task's failures at the retry limit (once per time it gets there). */
  gaveUp: 'gave_up',
  /** A run carrying this follow-up ended unfinished (its chain died, or lost its lease): back at the head of the queue. followup_id, run_id (the run cut off). */
  followupRequeued: 'followup_requeued',
  /** dispatch-continue --drop removed a follow-up that had not started: followup_id, by. */
  followupDropped: 'followup_dropped',
  /** dispatch-continue --interrupt asked the supervisor to stop the current run: followup_id, run_id. */
  interruptRequested: 'interrupt_requested',
  /** The supervisor started a run: run_id, attempt, argv, cwd, branch, base_commit, resume_session_id, session_id, followup_id, worker pid. */
  runStarted: 'run_started',
  /** The run's session id became known or changed: run_id, session_id. */
  sessionSeen: 'session_seen',
  /** A resume found no session; a fresh session with a recap prompt follows: run_id, session_id. */
  sessionFallback: 'session_fallback',
  /** A run ended: run_id, state, outcome, reason, exit_code, signal, duration_ms, session_id, cost_usd. */
  runEnded: 'run_ended',
  /** The supervisor gave the slug up (queue empty, or stopped): run_id, pending follow-ups. */
  released: 'released',
  /** worker-reap changed the state of a dead or orphaned dispatch: from, to, reason. */
  reaped: 'reaped',
  /** An operator cleared gave_up (hb-tick --clear): failures reset. */
  cleared: 'cleared',
  /** A run ended on its account's rate or usage limit: kind, resets_at, account (a hash), streak. */
  limited: 'limited',
  /** dispatch-stop held the task (and asked its live run to stop): by, reason, run_id. */
  held: 'held',
  /** The hold was lifted: by (dispatch-stop --release, or an explicit dispatch/continue). */
  holdReleased: 'hold_released',
  /** Several hosts: before a run the branch was taken from the remote: remote, remote_commit, note, kept_as (this host's diverged commits). */
  branchSynced: 'branch_synced',
  /** Several hosts: after a run the branch was pushed (leased on remote_commit), or refused: pushed, reason. */
  branchPushed: 'branch_pushed',
  /** Several hosts: a chain that died on another host was claimed here; its unpushed work is lost: from_host, run_id, note. */
  takenOver: 'taken_over',
  /** Several hosts: the chain lost its lease and stopped its run (self-fencing): reason. */
  leaseLost: 'lease_lost',
} as const;

