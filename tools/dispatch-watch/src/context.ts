import type { Io } from '@task-manager/core/cli/io';
import type { ExitCode } from '@task-manager/core/errors/exit-codes';
import type { RecordOutput } from '@task-manager/core/ndjson/output';
import type { Store } from '@task-manager/core/store/store';

/** What every dispatch-watch mode shares: where, how to print, and the exit codes so far. */
export interface WatchContext {
  stateDir: string;
  store: Store;
  io: Io;
  out: RecordOutput;
  /** A table for people (stdout is a terminal, no --json); NDJSON otherwise. */
  table: boolean;
  color: boolean;
  states: Set<string> | undefined;
  livenessMs: number;
  codes: ExitCode[];
}
