import type { HeartbeatSnapshot } from '../heartbeat/snapshot.js';
import type { HistoryRead } from '../history/read-history.js';
import type { ActiveLimit } from '../limits/account-limits.js';
import type { StatusRecord } from '../status/schema.js';

/** One event of a task's history, as a tool tells it (the store adds the slug and the time). */
export interface TaskEvent {
  event: string;
  [field: string]: unknown;
}

/**
 * One task's critical section: what a tool may do while it alone decides about the
 * task. The file store holds the task's lock directory; the PostgreSQL store holds the
 * task's row lock inside one transaction. Keep it short: read, decide, write.
 */
export interface TaskSection {
  readonly slug: string;
  /**
   * The task's status when the section began; undefined when it was never dispatched.
   * A damaged status never reaches here: taking the section throws StatusFileError.
   */
  readonly status: StatusRecord | undefined;
  /**
   * Replaces the task's status (stamping updated_at) and returns what was written.
   * Several writes in one section are seen by others only as a whole (the file store
   * writes each under the same hold of the lock; PostgreSQL commits them together).
   */
  write(record: StatusRecord): Promise<StatusRecord>;
  /**
   * An event for the task's history, recorded with the section: before it is released
   * (file store, in call order) or in its transaction (PostgreSQL). Never lost when the
   * section's writes are kept, never kept when they are not.
   */
  history(event: TaskEvent): void;
  /**
   * The fence a new claim of this task takes, or undefined when another claim is in
   * progress at this very moment (the caller refuses). Only call it when the task is
   * free. Taking it does not write the status; `write` must follow.
   */
  takeFence(): Promise<number | undefined>;
  /** Throws LockLostError when the section is no longer ours; called before every write. */
  assertHeld(): void;
}

/** How long ago a change was seen, and which task it was about. */
export interface StoreWatchOptions {
  /**
   * The slow re-check behind the change notices (fs.watch can lose events; a database
   * connection can drop). Called with nothing changed, so the caller re-reads what it
   * must (the liveness of live runs).
   */
  pollMs: number;
  onPoll?: () => void;
  /** The poll alone does not keep the process alive. */
  unref?: boolean;
  /**
   * Only this task's changes matter (a supervisor, a dispatch waiting for its run): the
   * store may leave out other tasks' (the file store watches this task's status file, not
   * the state directory, where every write of every task would wake the process).
   */
  slug?: string;
}

export interface StoreWatch {
  close(): void;
}

/** A change the store noticed: one task's status (or history), or "anything" (rescan). */
export type StoreChange = { slug: string } | { slug: undefined };

/** Housekeeping a reap found and did (file store: a lock left by a dead holder). */
export interface HousekeepingNote {
  action: 'stale_lock_removed';
  reason: string;
}

export interface ArchiveOutcome {
  archived: boolean;
  /** What was moved (file names), for the record. */
  moved: string[];
  reason?: string;
}

/**
 * What a store with leases offers a supervisor (the PostgreSQL store): a live chain's
 * lease expires at the database's now() + ttlMs unless renewed; `renew` extends it and
 * says false when it is no longer this fence's (expired, or the task claimed again).
 */
export interface LeaseApi {
  ttlMs: number;
  /** At least as long as stopping a run takes: the run is stopped this long before the lease can expire. */
  marginMs: number;
  renew(slug: string, fence: number): Promise<boolean>;
}

/**
 * Where the tools keep what they share about tasks: statuses (with their queues of
 * follow-ups), history, the tick lock, the heartbeat snapshot and the accounts' limits.
 * Named after what the tools do, not after files: the file store (the default, no
 * server) and the PostgreSQL store (a team's shared queue) behave the same.
 *
 * What stays local whatever the store: each run's log (written by the worker's own
 * stdout on the host that runs it) and the worktree claims in the repository's git
 * directory.
 */
export interface Store {
  /** 'file' or 'postgres'. */
  readonly kind: string;
  /** For messages and records: the state directory, or the server and database — never a password. */
  readonly describe: string;
  /**
   * What a child process (the supervisor) opens the same store with: 'file' or the URL.
   * It may hold a password, so it is only ever handed over in the environment.
   */
  readonly spec: string;
  /**
   * Leases, on a store shared by several hosts: a supervisor must renew its chain's lease
   * and stop its run before it can expire (supervisor/lease-keeper.ts). Absent for the
   * file store, whose liveness is the processes themselves.
   */
  readonly lease?: LeaseApi;

  /**
   * Checks that the store can be used (file: the state directory is ours and, with
   * `write`, created and writable; PostgreSQL: the server answers and the schema is
   * current). Throws a clear error naming the store otherwise.
   */
  prepare(options: { write: boolean }): Promise<void>;

  /**
   * Runs `fn` in the task's critical section (see TaskSection). On PostgreSQL `fn` runs
   * again from the start when the server lost the transaction before it committed, so it
   * must decide only from what it reads in the section (and repeat harmless work).
   */
  withTask<T>(slug: string, fn: (section: TaskSection) => Promise<T> | T): Promise<T>;
  /**
   * A supervisor's section: refused with FenceLostError, before `fn` runs, when the
   * task's fence is no longer `fence` (a later claim took the task).
   */
  withOwnedTask<T>(slug: string, fence: number, fn: (section: TaskSection & { status: StatusRecord }) => Promise<T> | T): Promise<T>;

  /** Where a task's status is kept, for messages: its file, or the store and the task. */
  statusName(slug: string): string;
  /** Where a task's history is kept, for messages. */
  historyName(slug: string): string;
  /** One task's status without any lock; undefined when never dispatched, StatusFileError when damaged. */
  readStatus(slug: string): Promise<StatusRecord | undefined>;
  /** Every task with a status, sorted. */
  listSlugs(): Promise<string[]>;
  /**
   * Every task's status (one query on PostgreSQL; on files, each read as it is iterated),
   * sorted by slug; a damaged one comes as its error, so the others are still read.
   */
  readAllStatuses(): Promise<Iterable<{ slug: string; status?: StatusRecord; error?: unknown }>>;

  /** Appends one event outside any section (the supervisor's run_started, session_seen). */
  appendHistory(slug: string, event: TaskEvent): Promise<void>;
  readHistory(slug: string): Promise<HistoryRead>;

  /**
   * Calls `onChange` when a task's status changes (as soon as the store can tell), and
   * `onPoll` every `pollMs`. The watch starts before it returns: read after it, and no
   * change falls between.
   */
  watch(onChange: (change: StoreChange) => void, options: StoreWatchOptions): StoreWatch;

  /**
   * The heartbeat's tick lock: runs `fn` while no other tick does; throws LockBusyError
   * at once (no waiting) when another tick holds it.
   */
  withTickLock<T>(fn: (held: { assertHeld(): void }) => Promise<T>): Promise<T>;
  writeHeartbeat(snapshot: HeartbeatSnapshot): Promise<void>;
  readHeartbeat(): Promise<HeartbeatSnapshot | undefined>;

  /** The accounts' rate and usage limits in force now. */
  activeLimits(): Promise<ActiveLimit[]>;
  recordLimit(account: string, entry: { worker: string; slug: string; kind: string; wait_ms: number }): Promise<void>;
  clearLimit(account: string): Promise<void>;

  /**
   * A reap's housekeeping, once per reap: the tasks to look at ('all': every status
   * and, in the file store, every lock left before a status was written), and what was
   * tidied on the way (file store: locks of dead holders, fence files no claim can need).
   * Nothing is changed under dryRun; the notes say what would be.
   */
  housekeep(slugs: string[] | 'all', options: { dryRun: boolean }): Promise<{ slugs: string[]; notes: Map<string, HousekeepingNote[]> }>;
  /**
   * Moves a finished task's status and history into the archive, when `check` (called
   * under the task's lock) returns no reason to leave it; its logs are the caller's.
   */
  archive(slug: string, check: (status: StatusRecord | undefined) => string | undefined): Promise<ArchiveOutcome>;

  /**
   * The copy between stores (store/copy-store.ts): a task's status and history as they
   * are, records and fence unchanged. Refused (ConflictError) when this store already
   * has the task.
   */
  importTask(slug: string, status: StatusRecord, history: readonly Record<string, unknown>[]): Promise<void>;

  /** Lets go of connections and watchers. */
  close(): Promise<void>;
}
