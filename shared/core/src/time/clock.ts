/**
 * Wall-clock time, in one place so tests can move it. TASK_MANAGER_CLOCK_OFFSET_SECONDS
 * shifts every timestamp the tools write and compare (a clock jump, without root).
 * Durations are measured with the monotonic clock (elapsedMs), never by subtracting
 * wall-clock times, so a jump cannot make them negative.
 */
// Read once: process.env is a getenv per access, and timestamps are taken per record.
const OFFSET_MS = (() => {
  const raw = process.env.TASK_MANAGER_CLOCK_OFFSET_SECONDS;
  const n = raw ? Number(raw) : 0;
  return Number.isFinite(n) ? n * 1000 : 0;
})();

export const nowMs = (): number => Date.now() + OFFSET_MS;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `new Date(ms).toISOString()`, from the UTC getters: toISOString's first call sets up
 * V8's date cache, which loads ICU's time zone data (0.8 MiB of node's file pages in a
 * process that never needs a time zone: 45.2 -> 44.4 MiB for an idle supervisor,
 * bench/measure/supervisor-rss.mjs). Years outside 0-9999 (and invalid times) are left to it.
 */
export const isoFromMs = (ms: number): string => {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
};

// Records are stamped one by one (100,000 in a pass-through): one Date per millisecond is enough.
let lastMs = Number.NaN;
let lastIso = '';
export const nowIso = (): string => {
  const ms = nowMs();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = isoFromMs(ms);
  }
  return lastIso;
};

// process.hrtime is what performance.now reads; the global `performance` loads node's
// perf_hooks (ten modules) on first use, kept for the life of a supervisor that only wants
// a clock (idle supervisor 43.9 -> 43.7 MiB, bench/measure/supervisor-rss.mjs).
export const monotonicMs = (): number => {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
};

export const parseIsoMs = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * A reading of the system-wide monotonic clock (CLOCK_MONOTONIC via hrtime, shared by
 * every process on this boot). Stored beside wall-clock times so a later process can
 * measure elapsed time that a wall-clock jump cannot shorten.
 */
export interface MonoStamp {
  boot_id: string;
  ms: number;
}

export const monoStamp = (bootId: string): MonoStamp => ({ boot_id: bootId, ms: Number(process.hrtime.bigint() / 1_000_000n) });

/**
 * Milliseconds since `wallIso`/`mono`: from the monotonic stamp when it is from this
 * boot, else from the wall clock; never negative.
 */
export const elapsedSinceMs = (wallIso: string | null | undefined, mono: MonoStamp | null | undefined, bootId: string): number | undefined => {
  if (mono && mono.boot_id === bootId) return Math.max(0, Number(process.hrtime.bigint() / 1_000_000n) - mono.ms);
  const wall = parseIsoMs(wallIso);
  return wall === undefined ? undefined : Math.max(0, nowMs() - wall);
};
