import { LimitedError } from '../errors/errors.js';
import type { Store } from '../store/store.js';
import type { RunSpec } from '../status/schema.js';
import { runAccount } from '../workers/run-account.js';

/**
 * An operator who starts a task on an account that is limited is told so, and only
 * `--force` starts it anyway: the run would most likely end `limited` at once.
 */
export const refuseIfLimited = async (store: Store, slug: string, spec: RunSpec): Promise<void> => {
  const account = runAccount(spec, process.env);
  const limit = (await store.activeLimits()).find((l) => l.account === account);
  if (!limit) return;
  throw new LimitedError(
    `task ${slug}: the ${spec.worker} account is limited until ${limit.until} (${limit.kind} limit hit by task ${limit.slug}); pass --force to start anyway`,
    { slug, limit },
  );
};
