import path from 'node:path';
import { TaskManagerError, UsageError } from '../errors/errors.js';
import { findRepoRoot } from '../paths/repo.js';
import { parseNonNegative } from './env-values.js';
import { SETTINGS, type SettingName } from './settings.js';

export type Flags = Record<string, unknown>;
export type Env = Record<string, string | undefined>;

export interface Config {
  /** The repository root; resolved lazily because watch and reap need no git. */
  repo: () => string;
  stateDir: string;
  tasksDir: string;
  worktreesDir: string;
  worker: string;
  workerCmd: string | undefined;
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

const stringSetting = (name: SettingName, flags: Flags, env: Env): string | undefined =>
  rawSetting(name, flags, env)?.raw ?? (SETTINGS[name].default as string | undefined);

/**
 * Flags > environment > defaults, for every setting, in one place. Paths resolve against
 * the repository's main checkout — defaults and relative flag or environment values
 * alike — so `--worktrees-dir wt` means the same directory from a subdirectory or from
 * inside a task's worktree. Outside any repository a relative path resolves against
 * `cwd`; an absolute one never needs git.
 */
export const resolveConfig = (flags: Flags, env: Env, cwd: string): Config => {
  let repoRoot: string | undefined;
  const repoFlag = typeof flags.repo === 'string' && flags.repo !== '' ? path.resolve(cwd, flags.repo) : undefined;
  const repo = (): string => (repoRoot ??= repoFlag ? findRepoRoot(repoFlag) : findRepoRoot(cwd));

  const anchor = (): string => {
    try {
      return repo();
    } catch (error) {
      // watch and reap work on a state dir outside any repository too.
      if (error instanceof TaskManagerError && error.code === 'not_a_repository') return cwd;
      throw error;
    }
  };
  const pathSetting = (name: 'stateDir' | 'tasksDir' | 'worktreesDir'): string => {
    const found = rawSetting(name, flags, env);
    if (!found) return path.join(repo(), SETTINGS[name].default);
    return path.isAbsolute(found.raw) ? path.normalize(found.raw) : path.resolve(anchor(), found.raw);
  };
  // Paths resolve lazily too, so a tool that is given --state-dir never runs git.
  const lazyPaths: Partial<Record<'stateDir' | 'tasksDir' | 'worktreesDir', string>> = {};
  const lazy = (name: 'stateDir' | 'tasksDir' | 'worktreesDir') => (lazyPaths[name] ??= pathSetting(name));

  const seconds = (name: SettingName) => numberSetting(name, flags, env) * 1000;
  const config = {
    repo,
    get stateDir() { return lazy('stateDir'); },
    get tasksDir() { return lazy('tasksDir'); },
    get worktreesDir() { return lazy('worktreesDir'); },
    // A worker command alone means the command worker; otherwise Claude.
    worker: rawSetting('worker', flags, env)?.raw ?? (stringSetting('workerCmd', flags, env) ? 'command' : 'claude'),
    workerCmd: stringSetting('workerCmd', flags, env),
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
