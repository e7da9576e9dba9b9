import { EXIT, type ExitCode } from '../errors/exit-codes.js';
import { exitCodeOf, TaskManagerError, UsageError } from '../errors/errors.js';
import { errorRecord } from '../ndjson/error-record.js';
import { flushQueuedOutputs } from '../ndjson/output.js';
import { parseFlags, type FlagSpec, type ParsedArgs } from './flags.js';
import { processIo, type Io } from './io.js';
import { forTerminal } from './terminal-text.js';

export interface BinSpec {
  name: string;
  version: string;
  help: string;
  flags: FlagSpec;
  run: (args: ParsedArgs, io: Io) => Promise<ExitCode>;
}

/**
 * What a person reads about an error: our own errors' messages; a system call that
 * failed as one line (what, where, errno); anything else is a bug, shown with its stack.
 */
const messageOf = (error: unknown): string => {
  if (error instanceof TaskManagerError) return error.message;
  const errno = error as NodeJS.ErrnoException;
  if (errno?.code && errno.syscall) return `${errno.syscall} ${errno.path ?? ''} failed: ${errno.code}`.replace('  ', ' ');
  return (error as Error)?.stack ?? String(error);
};

/**
 * The one place where errors become messages and exit codes. A tool's run() returns
 * the batch's exit code, or throws a typed error for something that stops it whole.
 */
export const runBin = async (spec: BinSpec, argv = process.argv.slice(2), io: Io = processIo()): Promise<ExitCode> => {
  // EPIPE on stdout means the reader is done (`| head -1`): never a crash. RecordOutput
  // sees it too and the tool stops at the next record, after finishing the current one.
  // Not before --help and --version, which never build the stream (Io.printNow).
  let guarded = false;
  const guardStdout = () => {
    if (guarded) return;
    guarded = true;
    io.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') io.stderr.write(`${spec.name}: stdout: ${error.message}\n`);
    });
  };
  const print = (text: string) => (io.printNow ? io.printNow(text) : io.stdout.write(text));
  let code: ExitCode;
  try {
    const args = parseFlags(argv, spec.flags);
    if (args.flags.help) {
      print(spec.help.endsWith('\n') ? spec.help : `${spec.help}\n`);
      return EXIT.ok;
    }
    if (args.flags.version) {
      print(`${spec.name} ${spec.version}\n`);
      return EXIT.ok;
    }
    guardStdout();
    code = await spec.run(args, io);
  } catch (error) {
    guardStdout();
    code = exitCodeOf(error);
    const hint = error instanceof UsageError ? ` (see ${spec.name} --help)` : '';
    io.stderr.write(`${spec.name}: ${forTerminal(messageOf(error), { multiline: true })}${hint}\n`);
    // On a terminal the line above is the whole report; a pipe also gets the record,
    // after the records the tool had queued.
    flushQueuedOutputs();
    if (!io.stdout.isTTY || argv.includes('--json')) io.stdout.write(`${JSON.stringify(errorRecord(error))}\n`);
  }
  return code;
};

/** Entry point for a bin: run and set the exit code (never process.exit, so output drains). */
export const main = (spec: BinSpec): void => {
  // Over a file-size limit, a write should fail (EFBIG) and be reported, not kill the
  // process between a temp file and its rename.
  process.on('SIGXFSZ', () => undefined);
  runBin(spec).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${spec.name}: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
};
