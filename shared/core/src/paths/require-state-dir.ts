import fs from 'node:fs';
import type { Config } from '../config/resolve-config.js';
import { FailureError } from '../errors/errors.js';

/**
 * For the tools that only read state: a state directory the operator named but that
 * does not exist is a typo, not "nothing is running". The default one may be missing
 * (nothing was ever dispatched in this repository).
 */
export const requireStateDir = (config: Config): void => {
  if (!config.stateDirGiven || fs.existsSync(config.stateDir)) return;
  throw new FailureError(
    `state directory ${config.stateDir} does not exist; check --state-dir or TASK_MANAGER_STATE_DIR`,
    'state_dir_missing',
    { state_dir: config.stateDir },
  );
};
