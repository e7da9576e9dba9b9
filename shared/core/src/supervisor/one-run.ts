import fs from 'node:fs';
import { faultPoint } from '../faults/fault-point.js';
import { appendStateFile } from '../fsx/safe-open.js';
import { HISTORY_EVENTS } from '../history/events.js';
import type { Identity } from '../liveness/identity.js';
import { hostId } from '../liveness/host-id.js';
import { stopRun } from '../liveness/stop-run.js';
import { freshRunFields } from '../status/fresh-run.js';
import type { RunSpec, StatusRecord } from '../status/schema.js';
import { monotonicMs, nowIso } from '../time/clock.js';
import { runHeader } from '../watch/log-header.js';
import type { RunEnd, StopCause, StreamParser, WorkerAdapter } from '../workers/types.js';
import type { RunWorktree } from '../worktree/prepare-run-worktree.js';
import type { WorktreeSetup } from '../worktree/worktree-setup.js';
import type { NextRun } from './hand-off.js';
import { LogFollower } from './log-follower.js';
import { logRotateBytes, rotateLogIfLarge } from './rotate-log.js';
import { startRunLimits } from './run-limits.js';
import { startGuard, type RunGuard } from './run-guard.js';
import { spawnWorker } from './spawn-worker.js';

// Output heartbeats (last_output_at) are written at most this often.
const OUTPUT_WRITE_INTERVAL_MS = 1000;

/** What the supervisor lends a run: its fenced status updates, its history, its log notes. */
export interface RunContext {
  slug: string;
  log: string;
  spec: RunSpec;
  adapter: WorkerAdapter;
  /** What the task's runs cost before this one (for the agent's own budget). */
  costTotal: number;
  update(change: (s: StatusRecord) => StatusRecord | undefined): Promise<StatusRecord>;
  history(event: string, fields: Record<string, unknown>): Promise<void>;
  note(text: string): void;
  /** A stop or interrupt may have arrived while the run was starting. */
  started(): void;
  /** The session the chain last reported (session_seen is written when it changes, not per run). */
  session: { seen?: string };
  /**
   * Several hosts (a leased store): the run dies with the supervisor (kernel-enforced,
   * contain-run.ts), and a guard kills it if the supervisor freezes; `guardBudgetMs`
   * says how long the run may go on now without another lease renewal.
   */
  contain?: { guardBudgetMs: () => number };
}

/** How the run went, for the hand-off. */
export interface RunResult {
  end: RunEnd;
  durationMs: number;
  /** Over-long output lines cut for parsing. */
  cut: { lines: number; bytes: number };
  /** Wall time of the run's last output (written with the run's end). */
  lastOutputIso: string | null;
}

/**
 * One run of the worker: writes `starting`, the log header, spawns the worker, follows
 * its output (session id, output heartbeats, the last plain line), enforces the stall
 * and run-time limits, and when the worker exits makes sure nothing it started is left
 * (its group and every process carrying the run's token).
 */
export class OneRun {
  readonly runId: string;
  private worker: Identity | null = null;
  private stopBy: StopCause | undefined;
  private stopping: Promise<unknown> | undefined;
  private lastOutputMono = monotonicMs();
  private lastOutputIso: string | null = null;
  private lastOutputWrite = 0;
  private outputWritePending: NodeJS.Timeout | undefined;
  private lastLine: string | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly next: NextRun,
  ) {
    this.runId = next.runId;
  }

  /**
   * Stops the run (once; later calls wait for the first): grace, then SIGKILL, verified.
   * Asked before the worker is spawned, it stops it as soon as it is.
   */
  stop(cause: StopCause, graceMs?: number): Promise<unknown> {
    if (this.stopping) return this.stopping;
    this.stopBy = cause;
    const kill = () =>
      stopRun({ worker: this.worker, token: this.next.token }, { graceMs: graceMs ?? this.ctx.spec.grace_ms, firstSignals: this.ctx.adapter.stopSignals }).catch(
        (error) => this.ctx.note(`task-manager: ${(error as Error).message}\n`),
      );
    this.stopping = this.spawned ? kill() : new Promise((resolve) => (this.afterSpawn = () => resolve(kill())));
    return this.stopping;
  }

  private spawned = false;
  private afterSpawn: (() => void) | undefined;
  private guard: RunGuard | undefined;

  /** A lease renewal gave the run this much more time: the guard hears it (when there is one). */
  feedGuard(budgetMs: number): void {
    this.guard?.feed(budgetMs);
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  async execute(worktree: RunWorktree & { worktree_setup: WorktreeSetup }): Promise<RunResult> {
    const { ctx, next } = this;
    const { spec, adapter } = ctx;
    const invocation = adapter.invocation({
      prompt: next.prompt,
      worktree: spec.worktree,
      slug: ctx.slug,
      resumeSessionId: next.resumeSessionId,
      workerCmd: spec.worker_cmd,
      maxTurns: spec.max_turns ?? null,
      // What is left of the budget: an agent that counts its own cost (claude) stops there.
      maxBudgetUsd: spec.max_cost_usd != null ? Math.max(0.01, spec.max_cost_usd - ctx.costTotal) : null,
    });
    const expectedSession = invocation.sessionId ?? next.resumeSessionId ?? null;
    const starting = await ctx.update((s) => ({
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
    this.writeHeader(starting);
    faultPoint('supervisor-before-spawn');
    const parser = adapter.parser();
    const follower = new LogFollower(ctx.log, (line) => this.onLine(parser, line), () => this.onOutput());
    const started = monotonicMs();
    const spawned = spawnWorker(invocation, { cwd: spec.worktree, log: ctx.log, slug: ctx.slug, runId: next.runId, token: next.token, contain: ctx.contain !== undefined });
    // Before any await: the guard covers the whole run.
    if (ctx.contain && spawned.identity) this.guard = startGuard({ pgid: spawned.identity.pid, token: next.token, budgetMs: ctx.contain.guardBudgetMs(), log: ctx.log });
    faultPoint('supervisor-spawned');
    this.worker = spawned.identity ? { ...spawned.identity, host: hostId() } : null;
    this.spawned = true;
    this.afterSpawn?.();
    await ctx.history(HISTORY_EVENTS.runStarted, {
      run_id: next.runId,
      attempt: starting.attempt,
      argv: [invocation.file, ...invocation.args],
      cwd: spec.worktree,
      branch: worktree.branch,
      base_commit: worktree.base_commit,
      worker: spec.worker,
      pid: spawned.identity?.pid ?? null,
      session_id: expectedSession,
      resume_session_id: next.resumeSessionId,
      followup_id: next.followupId,
    });
    if (this.worker) await ctx.update((s) => ({ ...s, state: 'running', worker: this.worker }));
    faultPoint('supervisor-running');
    ctx.started();
    this.lastOutputMono = monotonicMs();
    const limits = startRunLimits({
      log: ctx.log,
      poll: () => follower.pump(),
      lastOutput: () => this.lastOutputMono,
      startedMono: started,
      stallMs: spec.stall_ms,
      maxRunMs: spec.max_run_ms,
      onStall: () => void this.stop('stall'),
      onTimeout: () => void this.stop('timeout'),
    });
    let exit;
    try {
      exit = await spawned.exited;
    } finally {
      limits.stop();
    }
    // Whatever the worker left behind in its group (or under its token) goes too:
    // the next run must not start beside it.
    await this.stopping;
    try {
      await stopRun({ worker: this.worker, token: next.token }, { graceMs: spec.grace_ms, firstSignals: adapter.stopSignals }).catch((error) => ctx.note(`task-manager: ${(error as Error).message}\n`));
    } finally {
      await this.guard?.stop();
      if (this.guard?.fired()) ctx.note('task-manager: the guard killed the run: the supervisor stopped renewing its lease\n');
    }
    follower.close();
    if (this.outputWritePending) clearTimeout(this.outputWritePending);
    const end: RunEnd = { exitCode: exit.exitCode, signal: exit.signal, observed: parser.observed, stoppedBy: this.stopBy, spawnError: exit.spawnError, lastLine: this.lastLine };
    return { end, durationMs: Math.round(monotonicMs() - started), cut: { ...follower.cut }, lastOutputIso: this.lastOutputIso };
  }

  /** The run's header in the log: a blank line between runs, never before the first. */
  private writeHeader(starting: StatusRecord): void {
    const { ctx, next } = this;
    // Logs are never left to grow without end: a large one is moved to .log.1 here.
    try {
      rotateLogIfLarge(ctx.log, logRotateBytes());
    } catch (error) {
      process.stderr.write(`task-manager supervisor: cannot rotate ${ctx.log}: ${(error as Error).message}\n`);
    }
    const gap = fs.statSync(ctx.log, { throwIfNoEntry: false })?.size ? '\n' : '';
    // Through the safe opener: never through a link, and a log deleted meanwhile is
    // created again owner-only.
    appendStateFile(
      ctx.log,
      `${gap}${runHeader({ runId: next.runId, slug: ctx.slug, attempt: starting.attempt, worker: ctx.spec.worker, at: starting.started_at as string, followupId: next.followupId, prompt: next.prompt })}\n`,
    );
  }

  private onOutput(): void {
    this.lastOutputMono = monotonicMs();
    this.lastOutputIso = nowIso();
    if (this.outputWritePending) return;
    const wait = Math.max(0, this.lastOutputWrite + OUTPUT_WRITE_INTERVAL_MS - Date.now());
    this.outputWritePending = setTimeout(() => {
      this.outputWritePending = undefined;
      this.lastOutputWrite = Date.now();
      const runId = this.runId;
      void this.ctx.update((s) => (s.run_id === runId ? { ...s, last_output_at: nowIso() } : undefined)).catch(() => undefined);
    }, wait);
  }

  private onLine(parser: StreamParser, line: string): void {
    parser.line(line);
    const text = line.trim();
    if (text !== '' && !text.startsWith('{')) this.lastLine = text.length > 300 ? `${text.slice(0, 300)}...` : text;
    const id = parser.observed.sessionId;
    const runId = this.runId;
    if (id && id !== this.ctx.session.seen) {
      this.ctx.session.seen = id;
      void this.ctx
        .history(HISTORY_EVENTS.sessionSeen, { run_id: runId, session_id: id })
        .catch((error) => this.ctx.note(`task-manager: cannot record the session: ${(error as Error).message}\n`));
      void this.ctx.update((s) => (s.run_id === runId && s.session_id !== id ? { ...s, session_id: id } : undefined)).catch(() => undefined);
    }
  }
}
