/** What the supervisor (run-guard.ts) and the guard (run-guard-main.ts) share; nothing else, so the guard loads little. */

/** How the guard learns the run's token: not RUN_TOKEN_ENV, or the guard would count as one of the run's processes. */
export const GUARD_TOKEN_ENV = 'TASK_MANAGER_GUARD_TOKEN';

/** The guard's exit codes. */
export const GUARD_EXIT = { done: 0, usage: 2, killed: 3, survivors: 4 } as const;

/** The line that ends the guard without a kill; any other line is a budget in milliseconds. */
export const GUARD_STOP = 'stop';
