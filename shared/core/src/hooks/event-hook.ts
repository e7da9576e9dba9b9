import { spawn } from 'node:child_process';
import { HISTORY_EVENTS } from '../history/events.js';
import type { Store } from '../store/store.js';
import { openStateFile } from '../fsx/safe-open.js';
import fs from 'node:fs';
import { splitArgv } from '../workers/split-argv.js';

/** The events an operator can be told about. */
export const HOOK_EVENTS = ['run_ended', 'gave_up', 'worker_gone', 'stopped', 'followup_started', 'limited'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** A hook may take this long; then it is killed (and that is recorded). */
export const HOOK_TIMEOUT_MS = 10_000;

// Hooks run one after another, in the order the events happened: a hook that keeps a
// log or posts to a chat sees run_ended before the followup_started that follows it.
let tail: Promise<void> = Promise.resolve();

/** Checks a hook command up front (a usage error, before anything runs). */
export const checkHook = (cmd: string, from: string): void => {
  splitArgv(cmd, from);
};

/**
 * Runs the operator's hook for one event: no shell (`{slug}` and `{event}` replaced
 * wherever they stand), the event record as one NDJSON line on its stdin, its output
 * appended to the task's log, at most HOOK_TIMEOUT_MS. It never blocks or breaks the
 * caller: failures (exit, signal, timeout, not found) go to history as `hook_failed`.
 * Hooks of one process run in order, one at a time. Call settleHooks() before exiting.
 */
/** A hook's failure goes to the task's history; a store that refuses it does not stop anything. */
const told = (files: { slug: string; store: Store }, event: HookEvent, reason: string): Promise<void> =>
  files.store.appendHistory(files.slug, { event: HISTORY_EVENTS.hookFailed, hook_event: event, reason }).catch(() => undefined);

export const fireHook = (cmd: string | null | undefined, event: HookEvent, record: Record<string, unknown>, files: { log: string; slug: string; store: Store }): void => {
  if (!cmd) return;
  const run = () => new Promise<void>((resolve) => {
    let argv: string[];
    try {
      argv = splitArgv(cmd, 'the event hook').map((a) => a.replaceAll('{slug}', files.slug).replaceAll('{event}', event));
    } catch (error) {
      void told(files, event, (error as Error).message).then(resolve);
      return;
    }
    let log: number | undefined;
    try {
      log = openStateFile(files.log, 'append');
    } catch {
      log = undefined;
    }
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', log ?? 'ignore', log ?? 'ignore'] });
    if (log !== undefined) fs.closeSync(log);
    const timer = setTimeout(() => child.kill('SIGKILL'), HOOK_TIMEOUT_MS);
    let failed: Promise<void> = Promise.resolve();
    const fail = (reason: string) => {
      failed = told(files, event, reason);
    };
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(`cannot run ${argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
      void failed.then(resolve);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && code === null) fail(`timed out after ${HOOK_TIMEOUT_MS / 1000} s`);
      else if (code !== 0) fail(signal ? `killed by ${signal}` : `exit code ${code}`);
      void failed.then(resolve);
    });
    child.stdin?.on('error', () => undefined); // a hook that does not read its stdin
    child.stdin?.end(`${JSON.stringify({ type: 'event', event, slug: files.slug, ...record })}\n`);
  });
  tail = tail.then(run).catch(() => undefined); // one hook's mistake never stops the next
};

/** Waits for the hooks this process started (each is bounded by its timeout). */
export const settleHooks = async (): Promise<void> => {
  await tail;
};
