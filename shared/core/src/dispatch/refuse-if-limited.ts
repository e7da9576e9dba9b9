import { LimitedError } from '../errors/errors.js';
import { activeLimits } from '../limits/account-limits.js';
import type { RunSpec } from '../status/schema.js';
import { runAccount } from '../workers/run-account.js';

/**
 * An operator who starts a task on an account that is limited is told so, and only
 * `--force` starts it anyway: the run would most likely end `limited` at once.
 */
export const refuseIfLimited = (stateDir: string, slug: string, spec: RunSpec): void => {
  const account = runAccount(spec, process.env);
  const limit = activeLimits(stateDir).find((l) => l.account === account);
  if (!limit) return;
  throw new LimitedError(
    `task ${slug}: the ${spec.worker} account is limited until ${limit.until} (${limit.kind} limit hit by task ${limit.slug}); pass --force to start anyway`,
    { slug, limit },
  );
};
