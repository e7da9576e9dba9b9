import { setTimeout as sleep } from 'node:timers/promises';
import { batchItems } from '@task-manager/core/cli/batch';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { resolveConfig, type Config } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { checkStateDir } from '@task-manager/core/fsx/state-dir';
import { clearGaveUp } from '@task-manager/core/heartbeat/clear';
import { runTick } from '@task-manager/core/heartbeat/tick';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { validateSlug } from '@task-manager/core/paths/slug';
import { markDuplicates } from '@task-manager/core/tasks/load-tasks';
import type { LoadedTask } from '@task-manager/core/tasks/task';
import { taskFromRecord } from '@task-manager/core/tasks/task-from-record';
import { nowIso } from '@task-manager/core/time/clock';

// Reasons and messages carry text from outside (a task file, an agent's error): each
// line goes through forTerminal, so no escape sequence reaches the terminal.
const humanLine = (r: Record<string, any>): string => `${forTerminal(human(r).replace(/\n$/, ''))}\n`;

const human = (r: Record<string, any>): string => {
  if (r.type === 'task') return `${String(r.class).padEnd(12)} ${r.slug}  ${r.reason}${r.until ? ` (until ${r.until})` : ''}\n`;
  if (r.type === 'action') return `${'dispatch'.padEnd(12)} ${r.slug}  ${r.result}${r.run_id ? ` run ${r.run_id}` : ''}${r.message ? `  ${r.message}` : ''}\n`;
  if (r.type === 'reap') return `${'reap'.padEnd(12)} ${r.slug}  ${r.from} -> ${r.to}\n`;
  if (r.type === 'snapshot') return `tick: ${r.dispatched} dispatched in ${r.duration_ms} ms${r.skipped ? ` (skipped: ${r.skipped})` : ''}${r.dry_run ? ' (dry run)' : ''}\n`;
  return `${String(r.type).padEnd(12)} ${r.slug ?? ''}  ${r.message ?? ''}\n`;
};

const readTaskRecords = async (io: Io, bad: (r: Record<string, unknown>) => Promise<void>): Promise<LoadedTask[]> => {
  const loaded: LoadedTask[] = [];
  let order = 0;
  for await (const item of batchItems(['-'], io, (b) => bad({ type: 'error', code: 'invalid_record', message: `${b.reason}: ${b.text}`, source: b.source, ts: nowIso() }))) {
    loaded.push(taskFromRecord(item.value, item.source, (order += 1)));
  }
  return markDuplicates(loaded);
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config: Config = resolveConfig(flags, io.env, io.cwd);
  const out = new RecordOutput(io.stdout);
  const table = wantsTable(io, flags);
  const codes: ExitCode[] = [EXIT.ok];
  const emit = async (record: Record<string, unknown>) => {
    if (record.type === 'error' || (record.type === 'task' && record.class === 'invalid')) {
      codes.push(EXIT.badInput);
      io.stderr.write(`hb-tick: ${forTerminal(`${record.source ?? record.slug ?? ''}: ${record.message ?? record.reason}`)}\n`);
    }
    if (table) io.stdout.write(humanLine(record));
    else await out.write(record);
  };

  if (flags.clear !== undefined) {
    checkStateDir(config.stateDir);
    await emit(await clearGaveUp(config.stateDir, validateSlug(flags.clear)));
    return EXIT.ok;
  }
  if (positionals.some((p) => p !== '-')) throw new UsageError('hb-tick takes no task names; use - to read task records from stdin');
  const fromStdin = positionals.includes('-');
  const every = flags.every === undefined ? undefined : parseNonNegative('--every', String(flags.every));
  if (every !== undefined && (every <= 0 || fromStdin)) throw new UsageError(every <= 0 ? '--every needs a positive number of seconds' : '--every cannot read tasks from stdin (it would read them once)');
  const tasks = fromStdin ? await readTaskRecords(io, emit) : undefined;
  const dryRun = Boolean(flags['dry-run']);

  if (every === undefined) {
    await runTick(config, { dryRun, tasks }, emit);
    return worstExitCode(codes);
  }
  // The loop: a stop request lets the current tick finish, then ends the wait at once.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  while (!stop.signal.aborted && !out.closed) {
    const started = performance.now();
    try {
      await runTick(config, { dryRun, tasks }, emit);
    } catch (error) {
      // One bad cycle must not end the loop; it is reported and the next one runs.
      await emit({ type: 'error', code: 'tick_failed', message: (error as Error).message, ts: nowIso() });
    }
    const wait = every * 1000 - (performance.now() - started);
    if (wait > 0) await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
  }
  return EXIT.ok;
};
