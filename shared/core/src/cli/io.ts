import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** What a tool's run() may touch, passed in so tests can use in-memory streams. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Writes a short text (--help, --version) to stdout at once; stdout.write() when absent. */
  printNow?: (text: string) => void;
}

/**
 * fd 1 written directly. Building process.stdout loads node's stream modules: ~2.4 ms of
 * CPU, a tenth of a bare start (bench/measure/startup.mjs), which --help need not pay.
 */
const printToFd1 = (text: string): void => {
  let rest = Buffer.from(text);
  try {
    while (rest.length > 0) rest = rest.subarray(fs.writeSync(1, rest));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A non-blocking pipe that is full: the stream waits for the reader. EPIPE: nobody reads.
    if (code === 'EAGAIN') process.stdout.write(rest);
    else if (code !== 'EPIPE') throw error;
  }
};

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
  printNow: printToFd1,
});
