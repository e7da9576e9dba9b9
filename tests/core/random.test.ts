import t from 'tap';
import { randomBytes, randomHex, randomUuid } from '@task-manager/core/ids/random';

t.test('random bytes and hex of the length asked, not repeating', async (t) => {
  t.equal(randomBytes(0).length, 0);
  t.equal(randomBytes(100_000).length, 100_000, 'more than one read may be needed');
  for (const n of [3, 4, 6, 16]) t.match(randomHex(n), new RegExp(`^[0-9a-f]{${2 * n}}$`));
  const seen = new Set(Array.from({ length: 1000 }, () => randomHex(16)));
  t.equal(seen.size, 1000);
});

t.test('randomUuid is a version 4 UUID, as crypto.randomUUID makes', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = randomUuid();
    t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  t.equal(seen.size, 1000);
});
