import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsTable } from '@task-manager/core/cli/output-mode';
import { slugInputs } from '@task-manager/core/cli/slug-inputs';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { exitCodeOf } from '@task-manager/core/errors/errors';
import { errorRecord } from '@task-manager/core/ndjson/error-record';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { reapSlug } from '@task-manager/core/reap/reap-slug';
import { nowIso } from '@task-manager/core/time/clock';
import { listSlugs } from '@task-manager/core/watch/list-slugs';

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config = resolveConfig(flags, io.env, io.cwd);
  const stateDir = config.stateDir;
  const out = new RecordOutput(io.stdout);
  const table = wantsTable(io, flags);
  const codes: ExitCode[] = [EXIT.ok];
  const emit = async (record: Record<string, unknown>) => {
    if (!table) return out.write(record);
    io.stdout.write(
      record.type === 'reap'
        ? `${String(record.action).padEnd(20)} ${record.slug}  ${record.from ?? ''}${record.to ? ` -> ${record.to}` : ''}  ${record.reason}${record.dry_run ? '  (dry run)' : ''}\n`
        : `error                ${record.slug ?? ''}  ${record.message}\n`,
    );
  };
  const fail = async (error: unknown, slug?: string, source?: string) => {
    const record = errorRecord(error, { ...(slug ? { slug } : {}), ...(source ? { source } : {}) });
    io.stderr.write(`worker-reap: ${source && source !== 'argv' ? `${source}: ` : ''}${record.message}\n`);
    codes.push(exitCodeOf(error));
    await emit(record);
  };

  const inputs = slugInputs(positionals, io, () => listSlugs(stateDir));
  const options = { dryRun: Boolean(flags['dry-run']), killOrphans: Boolean(flags['kill-orphans']), graceMs: config.graceMs, by: 'worker-reap' };
  let changes = 0;
  for await (const input of inputs) {
    if (out.closed) break;
    if (input.error) {
      io.stderr.write(`worker-reap: ${input.error.source}: ${input.error.message}\n`);
      codes.push(EXIT.badInput);
      await emit({ type: 'error', ...input.error, ts: nowIso() });
      continue;
    }
    const slug = input.slug as string;
    try {
      for (const record of await reapSlug(stateDir, slug, options)) {
        changes += 1;
        await emit(record as unknown as Record<string, unknown>);
      }
    } catch (error) {
      await fail(error, slug);
    }
  }
  if (table && changes === 0) io.stdout.write('nothing to reap\n');
  return worstExitCode(codes);
};
