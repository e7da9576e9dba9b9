import { splitArgv } from './split-argv.js';

/** Extra agent arguments from TASK_MANAGER_<NAME>_ARGS, or the adapter's defaults. */
export const extraArgs = (name: string, defaults: string[]): string[] => {
  const raw = process.env[`TASK_MANAGER_${name.toUpperCase()}_ARGS`];
  return raw === undefined ? defaults : raw.trim() === '' ? [] : splitArgv(raw, `TASK_MANAGER_${name.toUpperCase()}_ARGS`);
};

/** The agent program: TASK_MANAGER_<NAME>_BIN, or its name on PATH. */
export const agentBin = (name: string): string => process.env[`TASK_MANAGER_${name.toUpperCase()}_BIN`] || name;
