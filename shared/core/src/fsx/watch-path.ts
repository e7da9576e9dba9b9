import fs from 'node:fs';

export interface WatchOptions {
  /** The changes that matter, by file name; others are ignored. A change the kernel did not name always counts. */
  names?: (name: string) => boolean;
  /** A poll behind fs.watch: events can be coalesced or missed, and some file systems send none. */
  pollMs: number;
  /** What the poll calls; by default the change handler, as if something changed. */
  onPoll?: () => void;
  /** The poll alone does not keep the process alive. */
  unref?: boolean;
  /**
   * The target is a file replaced by renames (a status file): fs.watch follows the file
   * it was given, not the name, so the watch is set again on the name after each change.
   */
  replaced?: boolean;
}

export interface Watch {
  close(): void;
  /** fs.watch is running (false: the poll alone notices changes). */
  readonly watching: boolean;
}

/**
 * The one way the tools wait for files to change: fs.watch on a directory (or a file)
 * with a poll behind it. A watch that cannot start (no directory yet) or that fails is
 * tried again at every poll, so it picks up once the directory exists.
 */
export const watchPath = (target: string, onChange: (name: string | undefined) => void, options: WatchOptions): Watch => {
  let watcher: fs.FSWatcher | undefined;
  let closed = false;
  const start = () => {
    if (watcher || closed) return;
    try {
      watcher = fs.watch(target, (_event, name) => {
        if (options.replaced) {
          watcher?.close();
          watcher = undefined;
          start();
        }
        const file = name === null || name === undefined ? undefined : String(name);
        if (file === undefined || !options.names || options.names(file)) onChange(file);
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  };
  start();
  const timer = setInterval(() => {
    start();
    (options.onPoll ?? (() => onChange(undefined)))();
  }, options.pollMs);
  if (options.unref) timer.unref();
  return {
    close: () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
      watcher = undefined;
    },
    get watching() {
      return watcher !== undefined;
    },
  };
};
