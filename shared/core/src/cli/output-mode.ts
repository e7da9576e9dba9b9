import type { Io } from './io.js';

/** NDJSON unless stdout is a terminal and --json was not given. */
export const wantsTable = (io: Io, flags: Record<string, unknown>): boolean =>
  Boolean(io.stdout.isTTY) && !flags.json;

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
export const wantsColor = (io: Io): boolean => Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
