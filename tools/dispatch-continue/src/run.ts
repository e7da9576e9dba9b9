import { runBatch } from '@task-manager/core/cli/batch';
import { Sink } from '@task-manager/core/cli/sink';
import { queueView } from './queue-view.js';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { promptFromFlags } from '@task-manager/core/cli/prompt-flags';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { optionalString } from '@task-manager/core/dispatch/optional-string';
import { checkPrompt } from '@task-manager/core/dispatch/prompt-text';
import { checkHook } from '@task-manager/core/hooks/event-hook';
import { checkWorkerFlags, taskFileFor, workerForTask } from '@task-manager/core/dispatch/worker-for-task';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { BadInputError, UsageError } from '@task-manager/core/errors/errors';
import { sendFollowup } from '@task-manager/core/followups/send-followup';
import { checkClientKey } from '@task-manager/core/followups/client-keys';
import { validateSlug } from '@task-manager/core/paths/slug';
import { withStore } from '@task-manager/core/store/open-store';

const modeOf = (value: unknown, interruptFlag: boolean): 'queue' | 'interrupt' => {
  if (value === undefined || value === null) return interruptFlag ? 'interrupt' : 'queue';
  if (value === 'queue' || value === 'interrupt') return value;
  throw new BadInputError(`field "mode" must be "queue" or "interrupt", got ${JSON.stringify(value)}`, 'invalid_field', { field: 'mode' });
};

const human = (r: Record<string, any>): string => `${String(r.result).padEnd(11)} ${r.slug}  follow-up ${r.followup_id}  position ${r.position ?? '-'}  run ${r.run_id ?? '-'}\n`;

// A bad flag is a usage error (2); a bad record field is bad input (4).
const clientKeyFlag = (value: unknown): string => {
  try {
    return checkClientKey(value, '--client-key');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  if (positionals.length === 0) throw new UsageError('no task given: pass a SLUG, or - to read follow-up records from stdin');
  const config = resolveConfig(flags, io.env, io.cwd);
  if (flags.list || flags.drop !== undefined) return queueView({ flags, positionals }, io, config);
  const flagPrompt = promptFromFlags(flags, io.cwd);
  checkWorkerFlags(config);
  // The settings every start reads, checked once now: a bad one is usage (2), not bad input per record.
  void [config.dispatchTimeoutMs, config.stallMs, config.maxRunMs, config.graceMs, config.limitBackoffMs, config.budgetFlag, config.budgetEnv];
  if (config.onEvent) checkHook(config.onEvent, '--on-event');
  if (flagPrompt === undefined && !positionals.includes('-')) throw new UsageError('a follow-up needs --prompt or --prompt-file');
  const flagKey = flags['client-key'] === undefined ? undefined : clientKeyFlag(flags['client-key']);
  if (flagKey !== undefined && (positionals.length !== 1 || positionals[0] === '-')) throw new UsageError('--client-key names one follow-up: give exactly one SLUG (records on stdin carry their own "client_key")');
  const sink = new Sink({ name: 'dispatch-continue', io, table: wantsTable(io, flags), human });
  return withStore(config, (store) => runBatch(sink, positionals, io, async ({ value, source }) => {
    const slug = validateSlug(value.slug);
    const recordPrompt = optionalString(value, 'prompt');
    const prompt = recordPrompt !== undefined ? checkPrompt(recordPrompt, 'field "prompt"', 'input') : flagPrompt;
    if (prompt === undefined) throw new BadInputError('field "prompt" is missing', 'invalid_field', { field: 'prompt' });
    const task = await taskFileFor(config, slug);
    const fromRecord = source === 'argv' ? undefined : { source, worker: optionalString(value, 'worker'), workerCmd: optionalString(value, 'worker_cmd') };
    const workerFor = (previousWorker: string | null) => workerForTask(config, { record: fromRecord, task, previousWorker });
    const keyFromRecord = value.client_key === undefined ? undefined : checkClientKey(value.client_key, 'field "client_key"');
    const clientKey = keyFromRecord ?? flagKey;
    const record = await sendFollowup(
      store,
      config,
      { slug, prompt, mode: modeOf(value.mode, Boolean(flags.interrupt)), graceMs: config.graceMs, workerFor, task, force: Boolean(flags.force), ...(clientKey !== undefined ? { clientKey } : {}) },
      { waitMs: config.dispatchTimeoutMs },
    );
    await sink.emit(record as unknown as Record<string, unknown>);
    return record.result === 'timeout' ? EXIT.failure : EXIT.ok;
  }));
};
