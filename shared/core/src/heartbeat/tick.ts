import type { Config } from '../config/resolve-config.js';
import { LockBusyError, TaskManagerError } from '../errors/errors.js';
import { checkStateDir, ensureStateDir } from '../fsx/state-dir.js';
import { forgetTrackedPaths } from '../fsx/tracked-files.js';
import { reapDispatches } from '../reap/reap-dispatches.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import type { LoadedTask, Task } from '../tasks/task.js';
import { nowIso } from '../time/clock.js';
import { checkPrompt } from '../dispatch/prompt-text.js';
import { workerForTask } from '../dispatch/worker-for-task.js';
import { taskPrompt } from '../tasks/task-prompt.js';
import { queueRunsFirst } from '../followups/cut-off.js';
import { settleHooks } from '../hooks/event-hook.js';
import { noteGaveUp } from './note-gave-up.js';
import { runAccount } from '../workers/run-account.js';
import type { DispatchInfo } from './classify.js';
import { dispatchBounded } from './dispatch-bounded.js';
import { planTick } from './plan-tick.js';
import { emptyCounts, type HeartbeatSnapshot } from './snapshot.js';
import type { Store } from '../store/store.js';
import { hostId } from '../liveness/host-id.js';

export interface TickOptions {
  dryRun: boolean;
  /** Tasks from stdin records instead of the tasks directory. */
  tasks?: LoadedTask[];
}

type Emit = (record: Record<string, unknown>) => Promise<void>;

/**
 * What a dispatch runs: the task's prompt, except when the queue goes first — a run was
 * cut off (a limit, a lost lease, a chain that died: its prompt waits at the head), or
 * the prompt already ended ok and follow-ups are left (followups/cut-off.ts).
 */
const promptFor = (task: Task, info: DispatchInfo): string | null => (queueRunsFirst(info.status) ? null : taskPrompt(task));

/** Every task's status and state, read once for the whole plan. */
const readInfos = async (store: Store): Promise<Map<string, DispatchInfo>> => {
  const infos = new Map<string, DispatchInfo>();
  for (const { slug, status, error } of await store.readAllStatuses()) {
    if (error !== undefined) infos.set(slug, { damaged: (error as Error).message });
    else if (status) infos.set(slug, { status, state: deriveDispatchState(status) });
  }
  return infos;
};

/**
 * One heartbeat cycle: reap, load the tasks, then — holding the tick lock, so two
 * overlapping ticks never exceed the per-cycle cap together — classify every task,
 * dispatch at most N (each bounded by the dispatch timeout), and write heartbeat.json.
 * Emits a record per reap change, per task, per action, and a final snapshot.
 */
export const runTick = async (store: Store, config: Config, options: TickOptions, emit: Emit): Promise<HeartbeatSnapshot> => {
  const startedAt = nowIso();
  const t0 = performance.now();
  const stateDir = config.stateDir;
  const snapshot: HeartbeatSnapshot = {
    type: 'snapshot',
    started_at: startedAt,
    finished_at: startedAt,
    duration_ms: 0,
    pid: process.pid,
    dry_run: options.dryRun,
    counts: emptyCounts(),
    dispatched: 0,
    max_dispatches_per_cycle: config.maxDispatchesPerCycle,
    tasks: [],
    actions: [],
  };

  // A `git pull` between two ticks of a loop may have brought files into the state
  // directory: what git tracks is listed again for every tick, and the directory checked.
  forgetTrackedPaths();
  if (options.dryRun) checkStateDir(stateDir);
  else ensureStateDir(stateDir);
  await store.prepare({ write: !options.dryRun });

  // 1. Reap: the same logic as worker-reap, in this process.
  for await (const record of reapDispatches(store, stateDir, 'all', { dryRun: options.dryRun, killOrphans: false, graceMs: config.graceMs, by: 'hb-tick', onEvent: config.onEvent ?? null })) {
    if (record.type === 'failure') {
      // A damaged status is reported with its task below; anything else stops the tick.
      if (!(record.error instanceof TaskManagerError)) throw record.error;
    } else if (record.action !== 'orphaned') {
      await emit(record as unknown as Record<string, unknown>);
    }
  }

  // 2. Load tasks.
  const fromDir = options.tasks ? undefined : (await import('../tasks/load-tasks.js')).loadTasks(config.tasksDir);
  const loaded = options.tasks ?? fromDir?.loaded ?? [];
  // A README beside the tasks is not a task and not an error: said once, when asked to plan.
  if (options.dryRun) {
    for (const file of fromDir?.ignored ?? []) await emit({ type: 'note', code: 'not_a_task', source: file.source, message: file.reason, ts: nowIso() });
  }
  const tasks = new Map<string, Task>();
  for (const item of loaded) if (item.ok) tasks.set(item.task.slug, item.task);

  // Read once: each read parses the setting again, and the plan asks per task.
  const { budgetFlag, budgetEnv } = config;
  const classifyAndDispatch = async (section?: { assertHeld(): void }) => {
    // Read under the tick lock: what another tick dispatched is seen here.
    const infos = await readInfos(store);
    const infoOf = (slug: string): DispatchInfo => infos.get(slug) ?? {};
    const ctx = {
      retryCooldownMs: config.retryCooldownMs,
      retryCooldownMaxMs: config.retryCooldownMaxMs,
      maxAttempts: config.maxAttempts,
      budgetFor: (task: Task) => budgetFlag.maxCostUsd ?? task.max_cost_usd ?? budgetEnv.maxCostUsd ?? null,
      lookup: (slug: string) => {
        const task = tasks.get(slug);
        const info = infoOf(slug);
        return task || info.status ? { task, info } : undefined;
      },
    };
    // A limit is the account's: while one is in force, no task goes to that account.
    const limits = await store.activeLimits();
    snapshot.limits = limits.map(({ worker, account, until, slug, kind }) => ({ worker, account, until, slug, kind }));
    // --max-active: the workers alive now (any task with a status, orphans included) leave room for so many more.
    const holding = [...infos.values()].filter((info) => isHolding(info.state));
    const alive = holding.length;
    // On several hosts: the chains whose supervisor is this host's (a file store's are all here).
    const here = hostId();
    const aliveHere = holding.filter((info) => (info.status?.owner?.host ?? here) === here).length;
    snapshot.active = alive;
    if (config.maxActive !== undefined) snapshot.max_active = config.maxActive;
    if (config.maxActivePerHost !== undefined) {
      snapshot.active_here = aliveHere;
      snapshot.max_active_per_host = config.maxActivePerHost;
    }
    const { classified, now } = planTick({
      loaded,
      infoOf,
      ctx,
      chooseFor: (task) => {
        checkPrompt(taskPrompt(task), `the prompt built from ${task.source}`, 'input');
        return workerForTask(config, { task });
      },
      accountOf: (choice) => runAccount({ worker: choice.worker, worker_cmd: choice.workerCmd }, process.env),
      limits,
      maxDispatchesPerCycle: config.maxDispatchesPerCycle,
      alive,
      maxActive: config.maxActive,
      aliveHere,
      maxActivePerHost: config.maxActivePerHost,
    });
    if (!options.dryRun) for (const { slug, c } of classified) if (c.class === 'gave_up') await noteGaveUp(store, stateDir, slug, c.reason, config.onEvent);
    for (const { slug, source, c, priority } of classified) {
      snapshot.counts[c.class] += 1;
      snapshot.tasks.push({ slug, class: c.class, reason: c.reason, ...(c.until ? { until: c.until } : {}) });
      await emit({ type: 'task', slug, class: c.class, reason: c.reason, ...(c.until ? { until: c.until } : {}), ...(priority !== undefined ? { priority: `p${priority}` } : {}), source, ts: nowIso() });
    }
    for (const { task, choice } of now) {
      // A tick that lost its lock (stopped past the stale time) dispatches no more.
      section?.assertHeld();
      const action = options.dryRun
        ? { type: 'action', action: 'dispatch', slug: task.slug, result: 'planned', dry_run: true, ts: nowIso() }
        : await dispatchBounded(store, config, task, choice, promptFor(task, infoOf(task.slug)));
      if (!options.dryRun) snapshot.dispatched += 1;
      snapshot.actions.push(action as unknown as Record<string, unknown>);
      await emit(action as unknown as Record<string, unknown>);
    }
  };

  if (options.dryRun) {
    await classifyAndDispatch();
  } else {
    try {
      // A second tick does not wait its turn: it reports and skips.
      await store.withTickLock(classifyAndDispatch);
    } catch (error) {
      if (!(error instanceof LockBusyError)) throw error;
      snapshot.skipped = 'another tick is running';
    }
  }
  // The operator's hooks of this tick finish (each at most 10 s) before it reports.
  await settleHooks();
  snapshot.finished_at = nowIso();
  snapshot.duration_ms = Math.round(performance.now() - t0);
  if (!options.dryRun) await store.writeHeartbeat(snapshot);
  // The tasks were just printed one record each; heartbeat.json keeps the full list.
  const { tasks: _listed, ...summary } = snapshot;
  await emit(summary as unknown as Record<string, unknown>);
  return snapshot;
};
