import { setTimeout as sleep } from 'node:timers/promises';
import { badLineRecord } from '@task-manager/core/cli/batch';
import { readRecordChunks } from '@task-manager/core/ndjson/read-records';
import { Sink } from '@task-manager/core/cli/sink';
import { withStore } from '@task-manager/core/store/open-store';
import { nowIso } from '@task-manager/core/time/clock';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { resolveConfig, type Config } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { checkHook } from '@task-manager/core/hooks/event-hook';
import { checkWorkerFlags } from '@task-manager/core/dispatch/worker-for-task';
import { checkStateDir } from '@task-manager/core/fsx/state-dir';
import { clearGaveUp } from '@task-manager/core/heartbeat/clear';
import { runTick } from '@task-manager/core/heartbeat/tick';
import type { ErrorRecord } from '@task-manager/core/ndjson/error-record';
import { validateSlug } from '@task-manager/core/paths/slug';
import { markDuplicates } from '@task-manager/core/tasks/mark-duplicates';
import type { LoadedTask } from '@task-manager/core/tasks/task';
import { taskFromRecord } from '@task-manager/core/tasks/task-from-record';

/** "in 4m 12s" as of now, for a person; records keep the absolute `until`. */
const timeLeft = (until: string): string => {
  const s = Math.max(0, Math.round((Date.parse(until) - Date.now()) / 1000));
  return `in ${s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`}, at ${until}`;
};

const human = (r: Record<string, any>): string => {
  // Fixed columns (kind, task, what), so the lines of a tick line up.
  const row = (kind: string, slug: unknown, what: string) => `${kind.padEnd(12)} ${String(slug ?? '').padEnd(24)} ${what}\n`;
  if (r.type === 'task') return row(String(r.class), r.slug, `${r.reason}${r.until ? ` (${timeLeft(r.until)})` : ''}`);
  if (r.type === 'action') return row('dispatch', r.slug, `${r.result}${r.run_id ? ` run ${r.run_id}` : ''}${r.message ? `  ${r.message}` : ''}`);
  if (r.type === 'reap') return row('reap', r.slug, `${r.from} -> ${r.to}`);
  if (r.type === 'note') return row('note', r.source, String(r.message));
  if (r.type === 'snapshot') return `tick: ${r.dispatched} dispatched in ${r.duration_ms} ms${r.skipped ? ` (skipped: ${r.skipped})` : ''}${r.dry_run ? ' (dry run)' : ''}\n`;
  return `${String(r.type).padEnd(12)} ${r.slug ?? ''}  ${r.message ?? ''}\n`;
};

// Every task is read before the tick plans, so lines are taken a chunk at a time: a bad
// line's error still comes out in input order, before any task's record.
const readTaskRecords = async (io: Io, bad: (r: Record<string, unknown>) => Promise<void>): Promise<LoadedTask[]> => {
  const loaded: LoadedTask[] = [];
  let order = 0;
  for await (const items of readRecordChunks(io.stdin)) {
    for (const item of items) {
      if (item.ok) loaded.push(taskFromRecord(item.value, item.source, (order += 1)));
      else await bad(badLineRecord(item));
    }
  }
  return markDuplicates(loaded);
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config: Config = resolveConfig(flags, io.env, io.cwd);
  const sink = new Sink({ name: 'hb-tick', io, table: wantsTable(io, flags), human });
  // Not async: each of a tick's task records goes straight to the sink's queue.
  const emit = (record: Record<string, unknown>): Promise<void> => {
    if (record.type === 'error') return sink.errorRecord(record as unknown as ErrorRecord, EXIT.badInput);
    if (record.type === 'task' && record.class === 'invalid') {
      sink.note(EXIT.badInput);
      io.stderr.write(`hb-tick: ${forTerminal(`${record.source ?? record.slug ?? ''}: ${record.reason}`)}\n`);
    }
    return sink.emit(record);
  };

  checkWorkerFlags(config);
  // What a tick reads, checked now: a bad value is a usage error before any work, not mid-tick.
  void [config.maxAttempts, config.retryCooldownMs, config.retryCooldownMaxMs, config.maxDispatchesPerCycle, config.maxActive, config.maxActivePerHost, config.dispatchTimeoutMs, config.limitBackoffMs, config.budgetFlag, config.budgetEnv];
  if (config.onEvent) checkHook(config.onEvent, '--on-event');
  if (flags.clear !== undefined) {
    const extra = [...positionals.map((p) => JSON.stringify(p)), ...['dry-run', 'every'].filter((f) => flags[f] !== undefined && flags[f] !== false).map((f) => `--${f}`)];
    if (extra.length > 0) throw new UsageError(`--clear takes one task and no other work; remove ${extra.join(', ')} (run hb-tick again after clearing)`);
    checkStateDir(config.stateDir);
    const slug = validateSlug(flags.clear);
    await withStore(config, async (store) => emit(await clearGaveUp(store, slug)));
    return EXIT.ok;
  }
  if (positionals.some((p) => p !== '-')) throw new UsageError('hb-tick takes no task names; use - to read task records from stdin');
  const fromStdin = positionals.includes('-');
  const every = flags.every === undefined ? undefined : parseNonNegative('--every', String(flags.every));
  if (every !== undefined && (every <= 0 || fromStdin)) throw new UsageError(every <= 0 ? '--every needs a positive number of seconds' : '--every cannot read tasks from stdin (it would read them once)');
  const tasks = fromStdin ? await readTaskRecords(io, emit) : undefined;
  const dryRun = Boolean(flags['dry-run']);

  return withStore(config, async (store) => {
  if (every === undefined) {
    await runTick(store, config, { dryRun, tasks }, emit);
    return sink.exitCode();
  }
  // The loop: a stop request lets the current tick finish, then ends the wait at once.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  while (!stop.signal.aborted && !sink.closed) {
    const started = performance.now();
    // On a terminal, each tick under its own time stamp.
    if (sink.table) io.stdout.write(`— tick at ${nowIso()} —\n`);
    try {
      await runTick(store, config, { dryRun, tasks }, emit);
    } catch (error) {
      // One bad cycle must not end the loop; it is reported and the next one runs.
      await sink.error(error);
    }
    const wait = every * 1000 - (performance.now() - started);
    if (wait > 0) await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
  }
  return sink.exitCode();
  });
};
