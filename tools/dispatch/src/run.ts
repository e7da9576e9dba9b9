import path from 'node:path';
import { runBatch } from '@task-manager/core/cli/batch';
import { Sink } from '@task-manager/core/cli/sink';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { promptFromFlags } from '@task-manager/core/cli/prompt-flags';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { optionalString } from '@task-manager/core/dispatch/optional-string';
import { checkPrompt } from '@task-manager/core/dispatch/prompt-text';
import { checkHook } from '@task-manager/core/hooks/event-hook';
import { checkWorkerFlags, taskFileFor, workerForTask } from '@task-manager/core/dispatch/worker-for-task';
import { taskPrompt } from '@task-manager/core/tasks/task-prompt';
import { startChain, type DispatchRecord } from '@task-manager/core/dispatch/start-chain';
import { waitForChainEnd } from '@task-manager/core/dispatch/wait-for-end';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { BadInputError, UsageError } from '@task-manager/core/errors/errors';
import { validateSlug } from '@task-manager/core/paths/slug';
import { withStore } from '@task-manager/core/store/open-store';
import { nowIso } from '@task-manager/core/time/clock';

// A terminal line: reasons and messages can hold an agent's text, so no escape sequence passes.
const human = (r: Record<string, unknown>): string =>
  `${forTerminal(
    r.type === 'dispatch'
      ? `${String(r.result).padEnd(8)} ${r.slug}  run ${r.run_id}  worker ${r.worker} pid ${r.worker_pid ?? '-'}  state ${r.state}`
      : `${String(r.type).padEnd(8)} ${r.slug ?? ''}  ${r.message ?? JSON.stringify(r)}`,
  )}\n`;

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  if (positionals.length === 0) throw new UsageError('no task given: pass one or more SLUGs, or - to read records from stdin');
  const config = resolveConfig(flags, io.env, io.cwd);
  const flagPrompt = promptFromFlags(flags, io.cwd);
  checkWorkerFlags(config);
  // The settings every start reads, checked once now: a bad one is usage (2), not bad input per record.
  void [config.dispatchTimeoutMs, config.stallMs, config.maxRunMs, config.graceMs, config.limitBackoffMs, config.budgetFlag, config.budgetEnv];
  if (config.onEvent) checkHook(config.onEvent, '--on-event');
  const sink = new Sink({ name: 'dispatch', io, table: wantsTable(io, flags), human });
  const baseFlag = typeof flags.base === 'string' && flags.base !== '' ? flags.base : null;
  const started: DispatchRecord[] = [];

  return withStore(config, async (store) => {
  await runBatch(sink, positionals, io, async ({ value, source }) => {
    const slug = validateSlug(value.slug);
    const task = await taskFileFor(config, slug);
    const recordPrompt = optionalString(value, 'prompt');
    const prompt =
      recordPrompt !== undefined
        ? checkPrompt(recordPrompt, `field "prompt"`, 'input')
        : flagPrompt ?? (task ? checkPrompt(taskPrompt(task), `the prompt built from ${task.source}`, 'input') : undefined);
    if (prompt === undefined) {
      throw new BadInputError(`no prompt for ${slug}: pass --prompt or --prompt-file, or create ${path.join(config.tasksDir, `${slug}.md`)}`, 'no_prompt', { slug });
    }
    const fromRecord = source === 'argv' ? undefined : { source, worker: optionalString(value, 'worker'), workerCmd: optionalString(value, 'worker_cmd') };
    const choice = workerForTask(config, { record: fromRecord, task });
    const record = await startChain(store, config, { slug, prompt, choice, task, requestedBy: 'dispatch', base: baseFlag, force: Boolean(flags.force) }, { waitMs: config.dispatchTimeoutMs });
    await sink.emit(record as unknown as Record<string, unknown>);
    for (const warning of record.worktree_setup?.warnings ?? []) io.stderr.write(`dispatch: ${slug}: ${warning}\n`);
    if (record.result === 'timeout') {
      io.stderr.write(`dispatch: ${slug}: the worker had not started after ${config.dispatchTimeoutMs / 1000} s; see ${record.log}\n`);
      return EXIT.failure;
    }
    started.push(record);
    return EXIT.ok;
  });

  if (flags.wait) {
    for (const record of started) {
      const end = await waitForChainEnd(store, record.slug, record.fence);
      const ok = end?.outcome === 'ok';
      await sink.emit({ type: 'dispatch', slug: record.slug, result: 'ended', state: end?.state, outcome: end?.outcome, reason: end?.reason, run_id: end?.run_id, exit_code: end?.exit_code, session_id: end?.session_id, cost_usd: end?.cost_usd, ts: nowIso() });
      if (!ok) sink.note(EXIT.runFailed);
    }
  }
  return sink.exitCode();
  });
};
