import fs from 'node:fs';
import { FILE_MODE } from './atomic-write.js';
import { refuseTracked } from './tracked-files.js';
import { UnsafeStateFileError } from '../errors/state-errors.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/**
 * How a state file is opened. Every way adds O_NOFOLLOW (a symbolic link is refused by
 * the kernel, not after a racy lstat) and O_NONBLOCK (a FIFO planted under a state
 * file's name cannot hang the open; on regular files it changes nothing).
 */
const FLAGS = {
  read: O_RDONLY,
  append: O_WRONLY | O_APPEND | O_CREAT,
  /** Append, and read the end to see whether the last line was torn. */
  appendRead: O_RDWR | O_APPEND | O_CREAT,
  /** Exclusive create: fence files, and the prompt handed to a worker as its stdin. */
  create: O_WRONLY | O_CREAT | O_EXCL,
  createRead: O_RDWR | O_CREAT | O_EXCL,
} as const;

export type OpenHow = keyof typeof FLAGS;

// Asked once: each process.getuid() is a system call, and a snapshot opens every status file.
let myUid: number | undefined | null = null;
const uid = (): number | undefined => (myUid === null ? (myUid = process.getuid?.()) : myUid);

const REMOVE = (file: string) => `the tools only use regular files they created themselves: inspect it, then move it away (mv -- ${file} ${file}.suspect)`;

/** The checks on an opened descriptor: a regular file, ours, with no other name. */
export const checkOpened = (fd: number, file: string): fs.Stats => {
  const st = fs.fstatSync(fd);
  if (!st.isFile()) throw new UnsafeStateFileError(file, 'is not a regular file', REMOVE(file));
  const me = uid();
  if (me !== undefined && st.uid !== me) {
    throw new UnsafeStateFileError(file, `is owned by uid ${st.uid}, not by you (uid ${me})`, `a state directory belongs to one user: move the file away, or use your own --state-dir`);
  }
  // A second name could be a file outside the state directory (a hard link to ~/.bashrc).
  if (st.nlink > 1) throw new UnsafeStateFileError(file, `has ${st.nlink} hard links`, REMOVE(file));
  return st;
};

/**
 * Opens a file of the state directory, refusing a symbolic link, a non-regular file,
 * another user's file, a hard-linked file and a file git tracks (UnsafeStateFileError).
 * Files it creates are owner-only. Other errors (ENOENT, EEXIST, EACCES) are thrown as
 * they are, for the caller to handle.
 */
export const openStateFile = (file: string, how: OpenHow, mode = FILE_MODE): number => openChecked(file, how, mode).fd;

const openChecked = (file: string, how: OpenHow, mode = FILE_MODE): { fd: number; st: fs.Stats } => {
  refuseTracked(file);
  let fd: number;
  try {
    fd = fs.openSync(file, FLAGS[how] | O_NOFOLLOW | O_NONBLOCK, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Linux says ELOOP for O_NOFOLLOW on a link; some systems say EMLINK.
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafeStateFileError(file, 'is a symbolic link', REMOVE(file));
    throw error;
  }
  try {
    return { fd, st: checkOpened(fd, file) };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
};

let scratch = Buffer.allocUnsafeSlow(16 * 1024);

/** The whole content of a state file, or undefined when there is none. */
export const readStateFile = (file: string): string | undefined => {
  let opened: { fd: number; st: fs.Stats };
  try {
    opened = openChecked(file, 'read');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const { fd, st } = opened;
  try {
    // The size is known from the check: one read of it into a buffer kept for the next
    // file, and one byte more to see the file did not grow since (then the rest is read
    // on). readFileSync(fd) would stat it again, read twice and leave a buffer per file
    // to the garbage collector; a snapshot reads 1,000 of these.
    if (scratch.length <= st.size) scratch = Buffer.allocUnsafeSlow(Math.max(st.size + 1, scratch.length * 2));
    const n = fs.readSync(fd, scratch, 0, st.size + 1, null);
    if (n <= st.size) return scratch.toString('utf8', 0, n);
    return Buffer.concat([scratch.subarray(0, n), fs.readFileSync(fd)]).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
};

/** Appends text to a state file (created owner-only if missing). */
export const appendStateFile = (file: string, text: string): void => {
  const fd = openStateFile(file, 'append');
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
};

/** True when an entry of that name exists, whatever it is (a dangling link counts). */
export const entryExists = (file: string): boolean => fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;

/**
 * A lock directory (proper-lockfile's) must be a real directory of ours, or not exist
 * yet: a symbolic link there would make every stat of it report someone else's
 * freshness (a lock that is busy forever) and every removal act elsewhere.
 */
export const checkLockPath = (lockPath: string): void => {
  const st = fs.lstatSync(lockPath, { throwIfNoEntry: false });
  if (!st) return;
  const fix = `remove it (rm -rf -- ${lockPath}); the tools create their lock directories themselves`;
  if (st.isSymbolicLink()) throw new UnsafeStateFileError(lockPath, 'is a symbolic link where a lock directory belongs', fix);
  if (!st.isDirectory()) throw new UnsafeStateFileError(lockPath, 'is not a directory where a lock directory belongs', fix);
  const me = uid();
  if (me !== undefined && st.uid !== me) throw new UnsafeStateFileError(lockPath, `is owned by uid ${st.uid}, not by you (uid ${me})`, fix);
  refuseTracked(lockPath);
};
