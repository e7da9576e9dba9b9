import { HISTORY_EVENTS } from '../history/events.js';
import { newId, newToken } from '../ids/new-id.js';
import { selfIdentity } from '../liveness/identity.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';
import { endRun } from '../status/end-run.js';
import type { LimitState, RunSpec, StatusRecord } from '../status/schema.js';
import { monotonicMs, nowIso, nowMs } from '../time/clock.js';
import { keepLease, type LeaseKeeper } from './lease-keeper.js';
import { hasRemote, pushToRemote, syncFromRemote } from '../worktree/shared-branch.js';
import { runGit } from '../worktree/run-git.js';
import { judgeRun } from '../workers/judge-run.js';
import { buildRecapPrompt } from '../workers/recap-prompt.js';
import { getAdapter } from '../workers/registry.js';
import type { Observation, StopCause, WorkerAdapter } from '../workers/types.js';
import { Serial } from './serial.js';
import { handOff, type HandOff, type NextRun } from './hand-off.js';
import { OneRun, type RunResult } from './one-run.js';
import { fireHook } from '../hooks/event-hook.js';
import { limitWaitMs } from '../workers/limit-wait.js';
import { watchRequests, type RequestWatch } from './watch-requests.js';
import { faultPoint } from '../faults/fault-point.js';
import { putBackCarried } from '../followups/cut-off.js';
import { prepareRunWorktree, type RunWorktree } from '../worktree/prepare-run-worktree.js';
import type { WorktreeSetup } from '../worktree/worktree-setup.js';
import { appendStateFile } from '../fsx/safe-open.js';

/** The remote several hosts share a task's branch through (docs/fleet.md). */
const sharedRemote = (): string => process.env.TASK_MANAGER_REMOTE || 'origin';

// TASK_MANAGER_LIMIT_BACKOFF_SECONDS' default, for a spec claimed before it existed.
const DEFAULT_LIMIT_BACKOFF_MS = 900_000;

/**
 * Owns one task for a chain of runs: starts each run's worker, follows its output,
 * enforces the stall and run-time limits, records how it ended, and then — inside the
 * critical section — takes the next queued follow-up or releases the task.
 */
export class Supervisor {
  /** The run's log: a local file, whatever the store. */
  readonly log: string;
  private readonly serial = new Serial();
  private spec!: RunSpec;
  private adapter!: WorkerAdapter;
  private active: OneRun | undefined;
  private shuttingDown = false;
  /** What the task's runs have cost so far (the status's cost_total_usd). */
  private costTotal = 0;
  private watcher: RequestWatch | undefined;
  private lease: LeaseKeeper | undefined;
  private readonly session: { seen?: string } = {};

  constructor(
    private readonly store: Store,
    private readonly stateDir: string,
    readonly slug: string,
    private readonly fence: number,
  ) {
    this.log = runLogPath(stateDir, slug);
  }

  /**
   * Read, check the fence, change, write — in the task's critical section, one at a time
   * (the process never contends with itself). A supervisor whose fence is no longer the
   * task's writes nothing (FenceLostError). Several records are written in order under
   * one hold (a run's end, then the next run's start), so nobody sees the gap between.
   */
  private update(
    change: (s: StatusRecord) => StatusRecord | StatusRecord[] | undefined,
    events: () => { event: string; fields: Record<string, unknown> }[] = () => [],
  ): Promise<StatusRecord> {
    return this.serial.run(() =>
      this.store.withOwnedTask(this.slug, this.fence, async (section) => {
        let status = section.status;
        const next = change(status);
        for (const record of next === undefined ? [] : Array.isArray(next) ? next : [next]) status = await section.write(record);
        for (const { event, fields } of events()) section.history({ event, ...fields });
        return status;
      }),
    );
  }

  private history(event: string, fields: Record<string, unknown>): Promise<void> {
    return this.store.appendHistory(this.slug, { event, ...fields });
  }

  /** A note of ours in the task's log; never fatal (the log may have been refused). */
  private logNote(text: string): void {
    try {
      appendStateFile(this.log, text);
    } catch (error) {
      process.stderr.write(`task-manager supervisor: ${(error as Error).message}\n`);
    }
  }

  /** Stops the current run, if any, without recording anything (the fence was lost). */
  abandon(): Promise<unknown> {
    this.shuttingDown = true;
    return this.stopActive('shutdown');
  }

  /** SIGTERM/SIGINT: stop the current run (recorded as interrupted) and release. */
  shutdown(): void {
    this.shuttingDown = true;
    void this.stopActive('shutdown');
  }

  async run(): Promise<void> {
    faultPoint('supervisor-start');
    // On a leased store this write also renews the lease: the keeper counts from its send.
    const sent = monotonicMs();
    const claimed = await this.update((s) => ({ ...s, owner: selfIdentity() }));
    faultPoint('supervisor-owned');
    this.spec = claimed.spec as RunSpec;
    this.costTotal = claimed.cost_total_usd ?? 0;
    this.adapter = getAdapter(this.spec.worker);
    if (this.store.lease) {
      this.lease = keepLease(this.store.lease, this.slug, this.fence, sent, {
        onLost: (reason) => this.selfFence(reason),
        onRenewed: () => this.active?.feedGuard(this.guardBudget()),
      });
    }
    this.watcher = watchRequests(this.store, this.slug, () => this.checkRequests());
    let setup: WorktreeSetup;
    try {
      const { ensureWorktree } = await import('../worktree/ensure-worktree.js');
      setup = await ensureWorktree({ ...this.spec, stateDir: this.stateDir, log: this.log });
    } catch (error) {
      await this.endWithoutRun(claimed, 'failed', 'start_failed', (error as Error).message);
      return;
    }
    let next: NextRun | undefined = {
      runId: claimed.run_id as string,
      token: claimed.token as string,
      prompt: claimed.prompt ?? '',
      followupId: claimed.followup_id,
      resumeSessionId: claimed.followup_id && this.adapter.resumable ? claimed.session_id : null,
      fallback: false,
    };
    try {
      while (next) {
        if (this.shuttingDown) {
          await this.endWithoutRun(await this.update(() => undefined), 'interrupted', 'interrupted', 'supervisor stopped before the run started');
          return;
        }
        // Each run starts on the task's branch, or not at all (worktree/prepare-run-worktree.ts).
        let at: RunWorktree;
        try {
          at = await prepareRunWorktree(this.spec, this.log);
        } catch (error) {
          await this.endWithoutRun(await this.update(() => undefined), 'failed', 'start_failed', (error as Error).message);
          return;
        }
        const remoteCommit = await this.syncBranch(next.runId);
        // Taken from the remote: the run starts from what the branch is now.
        if (remoteCommit !== undefined) at = { ...at, base_commit: (await runGit(this.spec.worktree, ['rev-parse', 'HEAD'])).stdout || at.base_commit };
        const run = new OneRun(
          {
            slug: this.slug,
            log: this.log,
            spec: this.spec,
            adapter: this.adapter,
            costTotal: this.costTotal,
            update: (change) => this.update(change),
            history: (event, fields) => this.history(event, fields),
            note: (text) => this.logNote(text),
            session: this.session,
            ...(this.lease && this.store.lease ? { contain: { guardBudgetMs: () => this.guardBudget() } } : {}),
            started: () => {
              if (this.shuttingDown) void run.stop('shutdown');
              void this.checkRequests();
            },
          },
          next,
        );
        this.active = run;
        let result: RunResult;
        try {
          result = await run.execute({ ...at, worktree_setup: setup });
        } finally {
          this.active = undefined;
        }
        await this.pushBranch(next.runId, remoteCommit);
        next = await this.afterRun(next, result);
      }
    } finally {
      this.watcher?.close();
      this.lease?.stop();
    }
  }

  /**
   * Several hosts (a leased store) with a remote in this clone: the run starts from the
   * task's branch as the remote has it (worktree/shared-branch.ts). Returns what the
   * remote had, for the push after the run; undefined when nothing is shared.
   */
  private async syncBranch(runId: string): Promise<string | null | undefined> {
    if (!this.store.lease) return undefined;
    const remote = sharedRemote();
    if (!(await hasRemote(this.spec.repo, remote))) return undefined;
    try {
      const sync = await syncFromRemote(this.spec.worktree, this.spec.branch, remote);
      if (sync.note) this.logNote(`task-manager: worktree: ${sync.note}\n`);
      await this.history(HISTORY_EVENTS.branchSynced, { run_id: runId, remote, remote_commit: sync.remote_commit, note: sync.note ?? null, kept_as: sync.kept_as ?? null });
      return sync.remote_commit;
    } catch (error) {
      // The run goes on from the local branch; its push, leased on what the remote had, tells.
      this.logNote(`task-manager: worktree: ${(error as Error).message}\n`);
      return undefined;
    }
  }

  /** After a run: the branch goes back to the remote, refused if another holder pushed since. */
  private async pushBranch(runId: string, remoteCommit: string | null | undefined): Promise<void> {
    if (remoteCommit === undefined) return;
    const remote = sharedRemote();
    const pushed = await pushToRemote(this.spec.worktree, this.spec.branch, remote, remoteCommit);
    if (!pushed.pushed) this.logNote(`task-manager: ${pushed.reason}\n`);
    await this.history(HISTORY_EVENTS.branchPushed, { run_id: runId, remote, pushed: pushed.pushed, reason: pushed.reason ?? null }).catch(() => undefined);
  }

  /**
   * How long a frozen supervisor's run may go on: past its own self-fencing deadline
   * (which a live supervisor meets first), halfway into the margin, before the lease
   * can expire and another host may start the task.
   */
  private guardBudget(): number {
    const margin = this.store.lease?.marginMs ?? 0;
    return Math.max(0, (this.lease?.remainingMs() ?? 0) + Math.floor(margin / 2));
  }

  /**
   * The lease could not be kept (the store out of reach, or the task claimed again): stop
   * the run now, within the margin, before any other host may take the task, and start
   * nothing more. What can still be recorded is; a write the fence refuses is not made.
   */
  private selfFence(reason: string): void {
    this.logNote(`task-manager: ${reason}\n`);
    void this.history(HISTORY_EVENTS.leaseLost, { reason }).catch(() => undefined);
    this.shuttingDown = true;
    const margin = this.store.lease?.marginMs ?? this.spec.grace_ms;
    void this.stopActive('lease', Math.min(this.spec.grace_ms, Math.floor(margin / 2)));
  }

  /**
   * The supervisor itself failed (a bug, a disk that refused a write): stop the run, if
   * any, and record why, so the waiting dispatch learns it at once and the task is free.
   */
  async crashed(error: unknown): Promise<void> {
    await this.abandon();
    const message = (error as Error)?.message ?? String(error);
    const current = await this.update(() => undefined);
    if (current.state !== 'starting' && current.state !== 'running') return;
    await this.endWithoutRun(current, 'failed', current.state === 'starting' ? 'start_failed' : 'error', `the supervisor failed: ${message}`);
  }

  /**
   * Records a chain that ended before its run could start (or whose supervisor failed),
   * and releases the task. The follow-up it was to carry out goes back to the head of the
   * queue: it never ran, or never finished.
   */
  private async endWithoutRun(status: StatusRecord, state: 'failed' | 'interrupted', outcome: 'start_failed' | 'interrupted' | 'error', reason: string) {
    let written = status;
    let putBack = false;
    await this.update(
      (s) => {
        const ended = endRun(s, { state, outcome, reason });
        const back = putBackCarried(ended, nowIso());
        putBack = back !== undefined;
        written = back ?? ended;
        return written;
      },
      () => [
        { event: HISTORY_EVENTS.runEnded, fields: { run_id: status.run_id, state, outcome, reason, duration_ms: 0, followup_id: status.followup_id } },
        ...(putBack ? [{ event: HISTORY_EVENTS.followupRequeued, fields: { followup_id: status.followup_id, run_id: status.run_id } }] : []),
        { event: HISTORY_EVENTS.released, fields: { run_id: status.run_id, followups_pending: written.followups.length } },
      ],
    );
    this.watcher?.close();
  }

  private stopActive(cause: StopCause, graceMs?: number): Promise<unknown> {
    return this.active?.stop(cause, graceMs) ?? Promise.resolve();
  }

  /**
   * dispatch-continue --interrupt sets interrupt_requested, dispatch-stop sets
   * stop_requested, each naming the run; the supervisor sees them through the store.
   */
  private async checkRequests(): Promise<void> {
    const active = this.active;
    if (!active || active.isStopping) return;
    let raw: StatusRecord | undefined;
    try {
      raw = await this.store.readStatus(this.slug);
    } catch {
      return; // a damaged status is reported by the next locked update
    }
    if (!raw || this.active !== active || active.isStopping) return;
    if (raw.stop_requested && raw.stop_requested === active.runId) {
      void this.stopActive('stop');
    } else if (raw.interrupt_requested && raw.run_id === active.runId) {
      const followup = raw.followups?.find((f) => f.id === raw.interrupt_requested);
      void this.stopActive('interrupt', followup?.grace_ms ?? this.spec.grace_ms);
    }
  }

  /** The operator's hook (--on-event): a run ended (stopped, limited), the next follow-up started. */
  private tell(ended: StatusRecord, run: NextRun, next: NextRun | undefined): void {
    const files = { log: this.log, slug: this.slug, store: this.store };
    const hook = this.spec.on_event;
    const fields = { run_id: run.runId, state: ended.state, outcome: ended.outcome, reason: ended.reason, exit_code: ended.exit_code, cost_usd: ended.cost_usd, followup_id: run.followupId };
    fireHook(hook, 'run_ended', fields, files);
    if (ended.outcome === 'stopped') fireHook(hook, 'stopped', { ...fields, by: ended.held?.by ?? null }, files);
    if (ended.outcome === 'limited') fireHook(hook, 'limited', { ...fields, resets_at: ended.limit?.resets_at ?? null }, files);
    if (next && next.followupId && !next.fallback) fireHook(hook, 'followup_started', { run_id: next.runId, followup_id: next.followupId }, files);
  }

  /** When the account may be tried again after this run's limit: the agent's reset, its delay, else our backoff. */
  private limitState(observed: Observation, s: StatusRecord, account: string): LimitState {
    const signal = observed.limit ?? { kind: 'rate' as const };
    const streak = (s.limit?.streak ?? 0) + 1;
    const wait = limitWaitMs(signal, streak, this.spec.limit_backoff_ms ?? DEFAULT_LIMIT_BACKOFF_MS, nowMs());
    return { kind: signal.kind, account, resets_at: new Date(nowMs() + wait).toISOString(), wait_ms: wait, streak };
  }

  /**
   * A limit is the account's: it is recorded for every tool to see (limits.json), and a
   * run that got through on the account ends whatever limit was recorded for it.
   */
  private async afterAccount(ended: StatusRecord, runId: string, ok: boolean, account: string): Promise<void> {
    try {
      if (ended.limit && ended.outcome === 'limited') {
        await this.store.recordLimit(ended.limit.account, { worker: this.spec.worker, slug: this.slug, kind: ended.limit.kind, wait_ms: ended.limit.wait_ms });
        await this.history(HISTORY_EVENTS.limited, { run_id: runId, kind: ended.limit.kind, resets_at: ended.limit.resets_at, account: ended.limit.account, streak: ended.limit.streak });
      } else if (ok) {
        await this.store.clearLimit(account);
      }
    } catch (error) {
      this.logNote(`task-manager: cannot record the account limit: ${(error as Error).message}\n`);
    }
  }

  /** Records the run's end; then the next follow-up, or the release of the task. */
  private async afterRun(run: NextRun, { end, durationMs, cut, lastOutputIso }: RunResult): Promise<NextRun | undefined> {
    const verdict = judgeRun(this.adapter, end, { stallMs: this.spec.stall_ms, maxRunMs: this.spec.max_run_ms });
    // The recap of a forgotten session is built from history, read before the section.
    const history = verdict.outcome === 'session_not_found' ? (await this.store.readHistory(this.slug)).records : [];
    // Imported when a run ends, not at start: the key is a sha256 (node:crypto, some twenty
    // of node's modules that a supervisor would otherwise carry while its worker runs).
    const account = (await import('../workers/run-account.js')).runAccount(this.spec, process.env);
    let decided!: HandOff;
    await this.update((status) => {
      decided = handOff({
        status,
        run,
        verdict,
        end,
        durationMs,
        cut,
        spec: this.spec,
        resumable: this.adapter.resumable,
        shuttingDown: this.shuttingDown,
        lastOutputIso,
        now: nowIso(),
        limitState: (s) => this.limitState(end.observed, s, account),
        recapPrompt: () => buildRecapPrompt(history, run.prompt),
        newRun: () => ({ runId: newId('r'), token: newToken() }),
        newFollowupId: () => newId('f'),
      });
      // Inside the section, before its commit: where a test restarts the database.
      faultPoint('supervisor-handoff-section');
      return decided.writes;
    }, () => decided.events);
    // The decision and its story were recorded together, in the section.
    faultPoint('supervisor-handoff');
    const { ended, next } = decided;
    this.costTotal = ended.cost_total_usd ?? this.costTotal;
    this.tell(ended, run, next);
    await this.afterAccount(ended, run.runId, verdict.outcome === 'ok', account);
    return next;
  }
}
