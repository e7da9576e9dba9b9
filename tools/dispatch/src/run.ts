import { runBatch } from '@task-manager/core/cli/batch';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { promptFromFlags } from '@task-manager/core/cli/prompt-flags';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { optionalString } from '@task-manager/core/dispatch/record-fields';
import { startChain, type DispatchRecord } from '@task-manager/core/dispatch/start-chain';
import { waitForChainEnd } from '@task-manager/core/dispatch/wait-for-end';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { validateSlug } from '@task-manager/core/paths/slug';
import { slugPaths } from '@task-manager/core/paths/state-paths';
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
  const out = new RecordOutput(io.stdout);
  const table = wantsTable(io, flags);
  const emit = async (record: Record<string, unknown>) => (table ? io.stdout.write(human(record)) : out.write(record));
  const started: DispatchRecord[] = [];

  let code = await runBatch('dispatch', positionals, io, out, async ({ value }) => {
    const slug = validateSlug(value.slug);
    // The task-file prompt needs the YAML parser (~27 ms to load): only when asked for.
    const prompt = optionalString(value, 'prompt') ?? flagPrompt ?? (await import('@task-manager/core/dispatch/default-prompt')).defaultPrompt(config.tasksDir, slug);
    const record = await startChain(
      config,
      { slug, prompt, worker: optionalString(value, 'worker'), workerCmd: optionalString(value, 'worker_cmd'), requestedBy: 'dispatch' },
      { waitMs: config.dispatchTimeoutMs },
    );
    await emit(record as unknown as Record<string, unknown>);
    if (record.result === 'timeout') {
      io.stderr.write(`dispatch: ${slug}: the worker had not started after ${config.dispatchTimeoutMs / 1000} s; see ${record.log}\n`);
      return EXIT.failure;
    }
    started.push(record);
    return EXIT.ok;
  });

  if (flags.wait) {
    for (const record of started) {
      const end = await waitForChainEnd(slugPaths(config.stateDir, record.slug), record.fence);
      const ok = end?.outcome === 'ok';
      await emit({ type: 'dispatch', slug: record.slug, result: 'ended', state: end?.state, outcome: end?.outcome, reason: end?.reason, run_id: end?.run_id, exit_code: end?.exit_code, session_id: end?.session_id, cost_usd: end?.cost_usd, ts: nowIso() });
      if (!ok && code === EXIT.ok) code = EXIT.runFailed;
    }
  }
  return code;
};
