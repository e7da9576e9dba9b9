/**
 * Wall-clock time, in one place so tests can move it. TASK_MANAGER_CLOCK_OFFSET_SECONDS
 * shifts every timestamp the tools write and compare (a clock jump, without root).
 * Durations are measured with the monotonic clock (elapsedMs), never by subtracting
 * wall-clock times, so a jump cannot make them negative.
 */
const offsetMs = (): number => {
  const raw = process.env.TASK_MANAGER_CLOCK_OFFSET_SECONDS;
  const n = raw ? Number(raw) : 0;
  return Number.isFinite(n) ? n * 1000 : 0;
};

export const nowMs = (): number => Date.now() + offsetMs();

export const nowIso = (): string => new Date(nowMs()).toISOString();

export const monotonicMs = (): number => performance.now();

export const parseIsoMs = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};
