import path from 'node:path';
import { UsageError } from '../errors/errors.js';
import { findRepoRoot } from '../paths/repo.js';
import { parseNonNegative } from './env-values.js';
import { SETTINGS, type SettingName } from './settings.js';
import type { WorkerLayer } from '../workers/choose-worker.js';

export type Flags = Record<string, unknown>;
export type Env = Record<string, string | undefined>;

export interface Config {
  /** The repository root; resolved lazily because watch and reap need no git. */
  repo: () => string;
  stateDir: string;
  /** The state directory was named (flag or environment), so a missing one is a mistake. */
  stateDirGiven: boolean;
  tasksDir: string;
  worktreesDir: string;
  /** The command line's worker settings: `--worker`/`--worker-cmd`, then the environment. */
  workerLayers: () => WorkerLayer[];
  /** Task files may set worker_cmd (docs/security.md). */
  allowTaskCommands: boolean;
  dispatchTimeoutMs: number;
  maxDispatchesPerCycle: number;
  retryCooldownMs: number;
  retryCooldownMaxMs: number;
  maxAttempts: number;
  stallMs: number;
  maxRunMs: number;
  graceMs: number;
}

const rawSetting = (name: SettingName, flags: Flags, env: Env): { raw: string; from: string } | undefined => {
  const spec = SETTINGS[name];
  const flag = flags[spec.flag];
  if (flag !== undefined && flag !== false) {
    if (typeof flag !== 'string' || flag === '') throw new UsageError(`--${spec.flag} needs a value`);
    return { raw: flag, from: `--${spec.flag}` };
  }
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return { raw: fromEnv, from: spec.env };
  return undefined;
};

const numberSetting = (name: SettingName, flags: Flags, env: Env): number => {
  const spec = SETTINGS[name];
  const found = rawSetting(name, flags, env);
  if (!found) return spec.default as number;
  return parseNonNegative(found.from, found.raw, { integer: spec.kind === 'count' });
};

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

const booleanSetting = (name: SettingName, flags: Flags, env: Env): boolean => {
  const spec = SETTINGS[name];
  if (flags[spec.flag] === true) return true;
  const raw = env[spec.env];
  if (raw === undefined || raw === '') return false;
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new UsageError(`${spec.env} must be 1 or 0 (true or false), got ${JSON.stringify(raw)}`, { name: spec.env, value: raw });
};

/**
 * Flags > environment > defaults, for every setting, in one place. Relative paths
 * from flags or the environment resolve against `cwd`; defaults against the repository.
 */
export const resolveConfig = (flags: Flags, env: Env, cwd: string): Config => {
  let repoRoot: string | undefined;
  const repoFlag = typeof flags.repo === 'string' && flags.repo !== '' ? path.resolve(cwd, flags.repo) : undefined;
  const repo = (): string => (repoRoot ??= repoFlag ? findRepoRoot(repoFlag) : findRepoRoot(cwd));

  const pathSetting = (name: 'stateDir' | 'tasksDir' | 'worktreesDir'): string => {
    const found = rawSetting(name, flags, env);
    return found ? path.resolve(cwd, found.raw) : path.join(repo(), SETTINGS[name].default);
  };
  // Paths resolve lazily too, so a tool that is given --state-dir never runs git.
  const lazyPaths: Partial<Record<'stateDir' | 'tasksDir' | 'worktreesDir', string>> = {};
  const lazy = (name: 'stateDir' | 'tasksDir' | 'worktreesDir') => (lazyPaths[name] ??= pathSetting(name));

  const flagValue = (name: 'worker' | 'workerCmd'): string | null => {
    const value = flags[SETTINGS[name].flag];
    if (value === undefined || value === false) return null;
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${SETTINGS[name].flag} needs a value`);
    return value;
  };
  const seconds = (name: SettingName) => numberSetting(name, flags, env) * 1000;
  const config = {
    repo,
    get stateDir() { return lazy('stateDir'); },
    stateDirGiven: rawSetting('stateDir', flags, env) !== undefined,
    get tasksDir() { return lazy('tasksDir'); },
    get worktreesDir() { return lazy('worktreesDir'); },
    workerLayers: (): WorkerLayer[] => {
      const fromEnv = { worker: env[SETTINGS.worker.env] || null, workerCmd: env[SETTINGS.workerCmd.env] || null };
      const fromFlags = { worker: flagValue('worker'), workerCmd: flagValue('workerCmd') };
      // Errors name the setting that holds the command when there is one.
      return [
        { from: fromFlags.workerCmd ? '--worker-cmd' : '--worker', kind: 'flag', ...fromFlags },
        { from: fromEnv.workerCmd ? SETTINGS.workerCmd.env : SETTINGS.worker.env, kind: 'env', ...fromEnv },
      ];
    },
    get allowTaskCommands() { return booleanSetting('allowTaskCommands', flags, env); },
    dispatchTimeoutMs: seconds('dispatchTimeout'),
    maxDispatchesPerCycle: numberSetting('maxDispatchesPerCycle', flags, env),
    retryCooldownMs: seconds('retryCooldown'),
    retryCooldownMaxMs: seconds('retryCooldownMax'),
    maxAttempts: numberSetting('maxAttempts', flags, env),
    stallMs: seconds('stallSeconds'),
    maxRunMs: seconds('maxRunSeconds'),
    graceMs: seconds('graceSeconds'),
  };
  return config;
};
