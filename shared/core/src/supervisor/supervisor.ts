import fs from 'node:fs';
import { HISTORY_EVENTS } from '../history/events.js';
import { newId, newToken } from '../ids/new-id.js';
import { selfIdentity } from '../liveness/identity.js';
import { stopRun } from '../liveness/stop-run.js';
import { runLogPath } from '../paths/state-paths.js';
import type { Store } from '../store/store.js';
import { endRun } from '../status/end-run.js';
import { freshRunFields } from '../status/fresh-run.js';
import type { LimitState, RunSpec, StatusRecord } from '../status/schema.js';
import { monotonicMs, nowIso, nowMs } from '../time/clock.js';
import { judgeRun } from '../workers/judge-run.js';
import { buildRecapPrompt } from '../workers/recap-prompt.js';
import { getAdapter } from '../workers/registry.js';
import type { Observation, RunEnd, StopCause, StreamParser, WorkerAdapter } from '../workers/types.js';
import { LogFollower } from './log-follower.js';
import { runHeader } from '../watch/log-header.js';
import { Serial } from './serial.js';
import { spawnWorker } from './spawn-worker.js';
import { startRunLimits } from './run-limits.js';
import { handOff, type HandOff, type NextRun } from './hand-off.js';
import { fireHook } from '../hooks/event-hook.js';
import { limitWaitMs } from '../workers/limit-wait.js';
import { runAccount } from '../workers/run-account.js';
import { watchRequests, type RequestWatch } from './watch-requests.js';
import { faultPoint } from '../faults/fault-point.js';
import { prepareRunWorktree, type RunWorktree } from '../worktree/prepare-run-worktree.js';
import type { WorktreeSetup } from '../worktree/worktree-setup.js';
import { appendStateFile } from '../fsx/safe-open.js';
import { logRotateBytes, rotateLogIfLarge } from './rotate-log.js';

// TASK_MANAGER_LIMIT_BACKOFF_SECONDS' default, for a spec claimed before it existed.
const DEFAULT_LIMIT_BACKOFF_MS = 900_000;


interface ActiveRun {
  runId: string;
  token: string;
  worker: StatusRecord['worker'];
  stopBy?: StopCause;
  stopping?: Promise<unknown>;
}

// Output heartbeats (last_output_at) are written at most this often.
const OUTPUT_WRITE_INTERVAL_MS = 1000;

/** What the run left in the log that the parser did not see whole. */
interface OutputCut {
  lines: number;
  bytes: number;
}

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
  private active: ActiveRun | undefined;
  private shuttingDown = false;
  /** What the task's runs have cost so far (the status's cost_total_usd). */
  private costTotal = 0;
  private watcher: RequestWatch | undefined;

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
    const claimed = await this.update((s) => ({ ...s, owner: selfIdentity() }));
    faultPoint('supervisor-owned');
    this.spec = claimed.spec as RunSpec;
    this.costTotal = claimed.cost_total_usd ?? 0;
    this.adapter = getAdapter(this.spec.worker);
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
        const { end, durationMs, cut } = await this.runOnce(next, { ...at, worktree_setup: setup });
        next = await this.afterRun(next, end, durationMs, cut);
      }
    } finally {
      this.watcher?.close();
    }
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

  /** Records a chain that ended before its run could start, and releases the task. */
  private async endWithoutRun(status: StatusRecord, state: 'failed' | 'interrupted', outcome: 'start_failed' | 'interrupted' | 'error', reason: string) {
    await this.update(
      (s) => endRun(s, { state, outcome, reason }),
      () => [
        { event: HISTORY_EVENTS.runEnded, fields: { run_id: status.run_id, state, outcome, reason, duration_ms: 0 } },
        { event: HISTORY_EVENTS.released, fields: { run_id: status.run_id, followups_pending: status.followups.length } },
      ],
    );
    this.watcher?.close();
  }

  private async runOnce(next: NextRun, worktree: RunWorktree & { worktree_setup: WorktreeSetup }): Promise<{ end: RunEnd; durationMs: number; cut: OutputCut }> {
    const invocation = this.adapter.invocation({
      prompt: next.prompt,
      worktree: this.spec.worktree,
      slug: this.slug,
      resumeSessionId: next.resumeSessionId,
      workerCmd: this.spec.worker_cmd,
      maxTurns: this.spec.max_turns ?? null,
      // What is left of the budget: an agent that counts its own cost (claude) stops there.
      maxBudgetUsd: this.spec.max_cost_usd != null ? Math.max(0.01, this.spec.max_cost_usd - this.costTotal) : null,
    });
    const expectedSession = invocation.sessionId ?? next.resumeSessionId ?? null;
    const starting = await this.update((s) => ({
      ...s,
      state: 'starting',
      run_id: next.runId,
      token: next.token,
      attempt: s.attempt + 1,
      prompt: next.prompt,
      followup_id: next.followupId,
      session_id: expectedSession ?? s.session_id,
      ...freshRunFields(),
      ...worktree,
      started_at: nowIso(),
    }));
    // Logs are never left to grow without end: a large one is moved to .log.1 here.
    try {
      rotateLogIfLarge(this.log, logRotateBytes());
    } catch (error) {
      process.stderr.write(`task-manager supervisor: cannot rotate ${this.log}: ${(error as Error).message}\n`);
    }
    // A blank line between runs, never before the first one.
    const gap = fs.statSync(this.log, { throwIfNoEntry: false })?.size ? '\n' : '';
    // Through the safe opener: never through a link, and a log deleted meanwhile is
    // created again owner-only.
    appendStateFile(
      this.log,
      `${gap}${runHeader({ runId: next.runId, slug: this.slug, attempt: starting.attempt, worker: this.spec.worker, at: starting.started_at as string, followupId: next.followupId, prompt: next.prompt })}\n`,
    );
    faultPoint('supervisor-before-spawn');
    const parser = this.adapter.parser();
    const follower = new LogFollower(this.log, (line) => this.onLine(parser, line), () => this.onOutput());
    const started = monotonicMs();
    this.lastOutputIso = null;
    this.lastLine = undefined;
    this.active = { runId: next.runId, token: next.token, worker: null };
    const spawned = spawnWorker(invocation, { cwd: this.spec.worktree, log: this.log, slug: this.slug, runId: next.runId, token: next.token });
    faultPoint('supervisor-spawned');
    this.active.worker = spawned.identity ?? null;
    await this.history(HISTORY_EVENTS.runStarted, {
      run_id: next.runId,
      attempt: starting.attempt,
      argv: [invocation.file, ...invocation.args],
      cwd: this.spec.worktree,
      branch: worktree.branch,
      base_commit: worktree.base_commit,
      worker: this.spec.worker,
      pid: spawned.identity?.pid ?? null,
      session_id: expectedSession,
      resume_session_id: next.resumeSessionId,
      followup_id: next.followupId,
    });
    if (spawned.identity) {
      await this.update((s) => ({ ...s, state: 'running', worker: spawned.identity ?? null }));
    }
    faultPoint('supervisor-running');
    if (this.shuttingDown) void this.stopActive('shutdown');
    // A stop or interrupt that arrived while this run was starting.
    void this.checkRequests();
    this.lastOutputMono = monotonicMs();
    const limits = startRunLimits({
      log: this.log,
      poll: () => follower.pump(),
      lastOutput: () => this.lastOutputMono,
      startedMono: started,
      stallMs: this.spec.stall_ms,
      maxRunMs: this.spec.max_run_ms,
      onStall: () => void this.stopActive('stall'),
      onTimeout: () => void this.stopActive('timeout'),
    });
    let exit;
    try {
      exit = await spawned.exited;
    } finally {
      limits.stop();
    }
    // Whatever the worker left behind in its group (or under its token) goes too:
    // the next run must not start beside it.
    const active = this.active;
    await active.stopping;
    await stopRun({ worker: active.worker, token: active.token }, { graceMs: this.spec.grace_ms, firstSignals: this.adapter.stopSignals }).catch(
      (error) => this.logNote(`task-manager: ${(error as Error).message}\n`),
    );
    follower.close();
    this.active = undefined;
    const end: RunEnd = { exitCode: exit.exitCode, signal: exit.signal, observed: parser.observed, stoppedBy: active.stopBy, spawnError: exit.spawnError, lastLine: this.lastLine };
    return { end, durationMs: Math.round(monotonicMs() - started), cut: { ...follower.cut } };
  }

  private lastOutputWrite = 0;
  private outputWritePending: NodeJS.Timeout | undefined;
  private lastOutputMono = monotonicMs();
  /** Wall time of the current run's last output, written with the run's end. */
  private lastOutputIso: string | null = null;
  private seenSession: string | undefined;
  /** The current run's last line of plain output (not an agent event), for the failure reason. */
  private lastLine: string | undefined;

  private onOutput(): void {
    this.lastOutputMono = monotonicMs();
    this.lastOutputIso = nowIso();
    if (this.outputWritePending) return;
    const wait = Math.max(0, this.lastOutputWrite + OUTPUT_WRITE_INTERVAL_MS - Date.now());
    this.outputWritePending = setTimeout(() => {
      this.outputWritePending = undefined;
      this.lastOutputWrite = Date.now();
      const runId = this.active?.runId;
      if (!runId) return;
      void this.update((s) => (s.run_id === runId ? { ...s, last_output_at: nowIso() } : undefined)).catch(() => undefined);
    }, wait);
  }

  private onLine(parser: StreamParser, line: string): void {
    parser.line(line);
    const text = line.trim();
    if (text !== '' && !text.startsWith('{')) this.lastLine = text.length > 300 ? `${text.slice(0, 300)}...` : text;
    const id = parser.observed.sessionId;
    const runId = this.active?.runId;
    if (id && id !== this.seenSession && runId) {
      this.seenSession = id;
      void this.history(HISTORY_EVENTS.sessionSeen, { run_id: runId, session_id: id }).catch((error) => this.logNote(`task-manager: cannot record the session: ${(error as Error).message}\n`));
      void this.update((s) => (s.run_id === runId && s.session_id !== id ? { ...s, session_id: id } : undefined)).catch(() => undefined);
    }
  }

  private stopActive(cause: StopCause, graceMs?: number): Promise<unknown> {
    const active = this.active;
    if (!active || active.stopping) return active?.stopping ?? Promise.resolve();
    active.stopBy = cause;
    active.stopping = stopRun({ worker: active.worker, token: active.token }, { graceMs: graceMs ?? this.spec.grace_ms, firstSignals: this.adapter.stopSignals }).catch(
      (error) => this.logNote(`task-manager: ${(error as Error).message}\n`),
    );
    return active.stopping;
  }

  /**
   * dispatch-continue --interrupt sets interrupt_requested, dispatch-stop sets
   * stop_requested, each naming the run; the supervisor sees them through the store.
   */
  private async checkRequests(): Promise<void> {
    const active = this.active;
    if (!active || active.stopping) return;
    let raw: StatusRecord | undefined;
    try {
      raw = await this.store.readStatus(this.slug);
    } catch {
      return; // a damaged status is reported by the next locked update
    }
    if (!raw || this.active !== active || active.stopping) return;
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
  private limitState(observed: Observation, s: StatusRecord): LimitState {
    const signal = observed.limit ?? { kind: 'rate' as const };
    const streak = (s.limit?.streak ?? 0) + 1;
    const wait = limitWaitMs(signal, streak, this.spec.limit_backoff_ms ?? DEFAULT_LIMIT_BACKOFF_MS, nowMs());
    return { kind: signal.kind, account: runAccount(this.spec, process.env), resets_at: new Date(nowMs() + wait).toISOString(), wait_ms: wait, streak };
  }

  /**
   * A limit is the account's: it is recorded for every tool to see (limits.json), and a
   * run that got through on the account ends whatever limit was recorded for it.
   */
  private async afterAccount(ended: StatusRecord, runId: string, ok: boolean): Promise<void> {
    try {
      if (ended.limit && ended.outcome === 'limited') {
        await this.store.recordLimit(ended.limit.account, { worker: this.spec.worker, slug: this.slug, kind: ended.limit.kind, wait_ms: ended.limit.wait_ms });
        await this.history(HISTORY_EVENTS.limited, { run_id: runId, kind: ended.limit.kind, resets_at: ended.limit.resets_at, account: ended.limit.account, streak: ended.limit.streak });
      } else if (ok) {
        await this.store.clearLimit(runAccount(this.spec, process.env));
      }
    } catch (error) {
      this.logNote(`task-manager: cannot record the account limit: ${(error as Error).message}\n`);
    }
  }

  /** Records the run's end; then the next follow-up, or the release of the task. */
  private async afterRun(run: NextRun, end: RunEnd, durationMs: number, cut: OutputCut): Promise<NextRun | undefined> {
    const verdict = judgeRun(this.adapter, end, { stallMs: this.spec.stall_ms, maxRunMs: this.spec.max_run_ms });
    // The recap of a forgotten session is built from history, read before the section.
    const history = verdict.outcome === 'session_not_found' ? (await this.store.readHistory(this.slug)).records : [];
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
        lastOutputIso: this.lastOutputIso,
        now: nowIso(),
        limitState: (s) => this.limitState(end.observed, s),
        recapPrompt: () => buildRecapPrompt(history, run.prompt),
        newRun: () => ({ runId: newId('r'), token: newToken() }),
        newFollowupId: () => newId('f'),
      });
      return decided.writes;
    }, () => decided.events);
    // The decision and its story were recorded together, in the section.
    faultPoint('supervisor-handoff');
    const { ended, next } = decided;
    this.costTotal = ended.cost_total_usd ?? this.costTotal;
    this.tell(ended, run, next);
    await this.afterAccount(ended, run.runId, verdict.outcome === 'ok');
    return next;
  }
}
