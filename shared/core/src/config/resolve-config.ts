import path from 'node:path';
import { TaskManagerError, UsageError } from '../errors/errors.js';
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
  /** Where statuses, queues and history live: 'file' or a postgres:// URL (store/open-store.ts). */
  store: string;
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
  /** The operator's event hook (--on-event, TASK_MANAGER_ON_EVENT). */
  onEvent: string | undefined;
  /** hb-tick keeps at most this many workers alive (undefined: no cap). */
  maxActive: number | undefined;
  /** ... and at most this many on this host (several hosts on one store). */
  maxActivePerHost: number | undefined;
  retryCooldownMs: number;
  retryCooldownMaxMs: number;
  maxAttempts: number;
  stallMs: number;
  limitBackoffMs: number;
  /** The command line's budget settings (flag, then environment); a task file ranks between. */
  budgetFlag: { maxCostUsd?: number; maxTurns?: number };
  budgetEnv: { maxCostUsd?: number; maxTurns?: number };
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

  const flagValue = (name: 'worker' | 'workerCmd'): string | null => {
    const value = flags[SETTINGS[name].flag];
    if (value === undefined || value === false) return null;
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${SETTINGS[name].flag} needs a value`);
    return value;
  };
  // A budget above zero, from the flag or from the environment (they rank apart: a task file's sits between).
  const budgetFrom = (where: 'flag' | 'env') => {
    const value = (name: 'maxCostUsd' | 'maxTurns', integer: boolean): number | undefined => {
      const spec = SETTINGS[name];
      const raw = where === 'flag' ? (typeof flags[spec.flag] === 'string' ? (flags[spec.flag] as string) : undefined) : env[spec.env] || undefined;
      if (raw === undefined) return undefined;
      const n = parseNonNegative(where === 'flag' ? `--${spec.flag}` : spec.env, raw, { integer });
      if (n === 0) throw new UsageError(`${where === 'flag' ? `--${spec.flag}` : spec.env} must be above 0`);
      return n;
    };
    const maxCostUsd = value('maxCostUsd', false);
    const maxTurns = value('maxTurns', true);
    return { ...(maxCostUsd !== undefined ? { maxCostUsd } : {}), ...(maxTurns !== undefined ? { maxTurns } : {}) };
  };
  const seconds = (name: SettingName) => numberSetting(name, flags, env) * 1000;
  const config = {
    repo,
    get stateDir() { return lazy('stateDir'); },
    get store() { return rawSetting('store', flags, env)?.raw ?? 'file'; },
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
    // Getters: a setting is checked when a tool reads it, so a bad value of a setting a
    // tool never uses (worker-reap and TASK_MANAGER_MAX_ATTEMPTS) does not stop that tool.
    get dispatchTimeoutMs() { return seconds('dispatchTimeout'); },
    get maxDispatchesPerCycle() { return numberSetting('maxDispatchesPerCycle', flags, env); },
    get onEvent() { return rawSetting('onEvent', flags, env)?.raw; },
    get maxActive() { return rawSetting('maxActive', flags, env) === undefined ? undefined : numberSetting('maxActive', flags, env); },
    get maxActivePerHost() { return rawSetting('maxActivePerHost', flags, env) === undefined ? undefined : numberSetting('maxActivePerHost', flags, env); },
    get retryCooldownMs() { return seconds('retryCooldown'); },
    get retryCooldownMaxMs() { return seconds('retryCooldownMax'); },
    get maxAttempts() { return numberSetting('maxAttempts', flags, env); },
    get stallMs() { return seconds('stallSeconds'); },
    get limitBackoffMs() { return seconds('limitBackoff'); },
    get budgetFlag() { return budgetFrom('flag'); },
    get budgetEnv() { return budgetFrom('env'); },
    get maxRunMs() { return seconds('maxRunSeconds'); },
    get graceMs() { return seconds('graceSeconds'); },
  };
  return config;
};
