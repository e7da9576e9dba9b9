import { runBatch } from '@task-manager/core/cli/batch';
import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { forTerminal } from '@task-manager/core/cli/terminal-text';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { promptFromFlags } from '@task-manager/core/cli/prompt-flags';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { optionalString } from '@task-manager/core/dispatch/record-fields';
import { EXIT, type ExitCode } from '@task-manager/core/errors/exit-codes';
import { BadInputError, UsageError } from '@task-manager/core/errors/errors';
import { sendFollowup } from '@task-manager/core/followups/send-followup';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { validateSlug } from '@task-manager/core/paths/slug';

const modeOf = (value: unknown, interruptFlag: boolean): 'queue' | 'interrupt' => {
  if (value === undefined || value === null) return interruptFlag ? 'interrupt' : 'queue';
  if (value === 'queue' || value === 'interrupt') return value;
  throw new BadInputError(`field "mode" must be "queue" or "interrupt", got ${JSON.stringify(value)}`, 'invalid_field', { field: 'mode' });
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  if (positionals.length === 0) throw new UsageError('no task given: pass a SLUG, or - to read follow-up records from stdin');
  const config = resolveConfig(flags, io.env, io.cwd);
  const flagPrompt = promptFromFlags(flags, io.cwd);
  if (flagPrompt === undefined && !positionals.includes('-')) throw new UsageError('a follow-up needs --prompt or --prompt-file');
  const out = new RecordOutput(io.stdout);
  const table = wantsTable(io, flags);
  return runBatch('dispatch-continue', positionals, io, out, async ({ value }) => {
    const slug = validateSlug(value.slug);
    const prompt = optionalString(value, 'prompt') ?? flagPrompt;
    if (prompt === undefined) throw new BadInputError('field "prompt" is missing', 'invalid_field', { field: 'prompt' });
    const record = await sendFollowup(
      config,
      { slug, prompt, mode: modeOf(value.mode, Boolean(flags.interrupt)), graceMs: config.graceMs },
      { waitMs: config.dispatchTimeoutMs },
    );
    if (table) io.stdout.write(`${forTerminal(`${record.result.padEnd(11)} ${slug}  follow-up ${record.followup_id}  position ${record.position ?? '-'}  run ${record.run_id ?? '-'}`)}\n`);
    else await out.write(record);
    return record.result === 'timeout' ? EXIT.failure : EXIT.ok;
  });
};
