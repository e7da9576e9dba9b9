import { createHash } from 'node:crypto';

/**
 * The wait before retry number `failures`: base × 2^(failures − 1), capped, with a
 * ±10 % jitter so tasks that failed together do not retry together. The jitter comes
 * from a hash of slug and count, so the deadline does not move between ticks.
 */
export const cooldownMs = (slug: string, failures: number, baseMs: number, maxMs: number): number => {
  if (failures <= 0 || baseMs <= 0) return 0;
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  const hash = createHash('sha256').update(`${slug}:${failures}`).digest();
  const unit = hash.readUInt32BE(0) / 0xffffffff; // 0..1
  return Math.round(Math.min(maxMs, raw * (0.9 + 0.2 * unit)));
};
