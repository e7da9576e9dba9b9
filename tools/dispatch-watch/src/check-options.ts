import { parseNonNegative } from '@task-manager/core/config/env-values';
import { UsageError } from '@task-manager/core/errors/errors';

const given = (flags: Record<string, unknown>, names: string[]): string[] =>
  names.filter((f) => flags[f] !== undefined && flags[f] !== false).map((f) => `--${f}`);

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface LogChoices {
  run: string;
  tail?: number;
}

/**
 * Options that mean nothing together are usage errors (exit 2), never silently
 * ignored: each mode names the options it takes. Returns --run and --tail, checked.
 */
export const checkOptions = (flags: Record<string, unknown>, positionals: string[]): LogChoices => {
  if (flags.follow && flags['until-done']) throw new UsageError('--until-done follows until the runs end; give it or --follow, not both');
  if (flags.pretty && flags.json) throw new UsageError('--pretty is text for a person and --json is records for a program; give one');
  if (flags.history !== undefined) {
    const other = given(flags, ['log', 'follow', 'until-done', 'state', 'interval', 'tail', 'run']);
    if (other.length > 0) throw new UsageError(`--history shows one task's history; ${other.join(' and ')} cannot go with it`);
    if (positionals.length > 0) throw new UsageError('--history takes one slug as its value; give no other slugs with it');
    return { run: 'current' };
  }
  if (flags.log === undefined) {
    const logOnly = given(flags, ['tail', 'run', 'pretty']);
    if (logOnly.length > 0) throw new UsageError(`${logOnly.join(' and ')} ${logOnly.length > 1 ? 'go' : 'goes'} with --log (or --pretty with --history)`);
    return { run: 'current' };
  }
  const ignored = given(flags, ['state', 'interval']);
  if (ignored.length > 0) throw new UsageError(`--log shows one task's output; ${ignored.join(' and ')} would be ignored with it`);
  if (positionals.length > 0) throw new UsageError('--log takes one slug as its value; give no other slugs with it');
  const run = flags.run === undefined ? 'current' : String(flags.run);
  if (!RUN_ID.test(run)) throw new UsageError(`--run takes current, all or a run id (like r-…), not ${JSON.stringify(run)}`, { option: '--run' });
  return { run, ...(flags.tail === undefined ? {} : { tail: parseNonNegative('--tail', String(flags.tail), { integer: true }) }) };
};
