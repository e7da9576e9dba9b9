import fs from 'node:fs';
import path from 'node:path';
import { watchPath } from '../fsx/watch-path.js';
import { slugOfStatusFile, slugPaths } from '../paths/state-paths.js';
import type { StoreChange, StoreWatch, StoreWatchOptions } from './store.js';

/** A full stat-only rescan every this many polls: covers file systems whose events are lost. */
const RESCAN_POLLS = 15;

const signature = (file: string): string => {
  try {
    const s = fs.statSync(file, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'none';
  } catch {
    return 'unreadable';
  }
};

/**
 * Status changes in a state directory: fs.watch names the status file (every write is a
 * rename into place), and only that task is reported. When the kernel does not say
 * which file, when no watch runs (no directory yet), and every RESCAN_POLLS polls, the
 * status files are stat-ed and the ones whose inode, size or mtime moved are reported.
 * Asked for one task (options.slug), only its status file is watched and stat-ed: 100
 * supervisors watching the directory each woke for every write of every task, hot
 * enough for V8 to compile the path with TurboFan in each (~3.8 MiB resident apiece).
 */
export const watchStatusFiles = (stateDir: string, onChange: (change: StoreChange) => void, options: StoreWatchOptions): StoreWatch => {
  const seen = new Map<string, string>();
  const one = options.slug === undefined ? undefined : path.basename(slugPaths(stateDir, options.slug).status);
  // `report: false` only learns the signatures (the first scan: the caller reads after it).
  const rescan = (report = true) => {
    let names: string[];
    try {
      names = one === undefined ? fs.readdirSync(stateDir) : [one];
    } catch {
      return; // no directory yet: the poll rescans until it exists
    }
    for (const name of names) {
      const slug = slugOfStatusFile(name);
      if (slug === undefined) continue;
      const now = signature(path.join(stateDir, name));
      if (seen.get(slug) === now) continue;
      seen.set(slug, now);
      if (report) onChange({ slug });
    }
  };
  let polls = 0;
  let blind = false;
  const watch = watchPath(
    one === undefined ? stateDir : path.join(stateDir, one),
    (name) => {
      const slug = name === undefined ? undefined : slugOfStatusFile(name);
      if (slug === undefined) rescan();
      else onChange({ slug });
    },
    {
      names: (name) => slugOfStatusFile(name) !== undefined,
      pollMs: options.pollMs,
      unref: options.unref,
      replaced: one !== undefined,
      onPoll: () => {
        polls += 1;
        if (blind || !watch.watching || polls % RESCAN_POLLS === 0) rescan();
        blind = !watch.watching;
        options.onPoll?.();
      },
    },
  );
  blind = !watch.watching;
  rescan(false);
  return { close: () => watch.close() };
};
