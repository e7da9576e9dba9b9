import fs from 'node:fs';

/**
 * Random bytes straight from the kernel's generator (/dev/urandom, what OpenSSL behind
 * node:crypto seeds itself from), without node:crypto: that module loads some twenty
 * more of node's on first use, which a supervisor would carry for its whole run only to
 * name temp files and tokens (idle supervisor 44.4 -> 43.9 MiB of VmRSS,
 * bench/measure/supervisor-rss.mjs).
 */
export const randomBytes = (count: number): Buffer => {
  const bytes = Buffer.alloc(count);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    let done = 0;
    while (done < count) done += fs.readSync(fd, bytes, done, count - done, null);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
};

export const randomHex = (count: number): string => randomBytes(count).toString('hex');

/** A version 4 UUID, as node:crypto's randomUUID makes. */
export const randomUuid = (): string => {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
