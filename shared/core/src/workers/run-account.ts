import type { RunSpec } from '../status/schema.js';
import { accountKey } from './account-key.js';
import { splitArgv } from './split-argv.js';

/** The account a chain's runs use: its worker, the environment, and for the command worker its program. */
export const runAccount = (spec: Pick<RunSpec, 'worker' | 'worker_cmd'>, env: Record<string, string | undefined>): string => {
  let program: string | null = null;
  if (spec.worker === 'command' && spec.worker_cmd) {
    try {
      program = splitArgv(spec.worker_cmd, 'the worker command')[0] ?? null;
    } catch {
      program = spec.worker_cmd; // validated before the claim; never reached in practice
    }
  }
  return accountKey(spec.worker, env, program);
};
