import type { Readable, Writable } from 'node:stream';

/** What a tool's run() may touch, passed in so tests can use in-memory streams. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
}

// Node builds each stdio stream on first use, and stdin and stderr together cost ~3 ms
// of a ~60 ms start (a file or /dev/null stdin loads fs streams): only a tool that uses
// one pays for it, so --help builds stdout alone.
export const processIo = (): Io => ({
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  env: process.env,
  cwd: process.cwd(),
});
