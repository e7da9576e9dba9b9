import t from 'tap';
import { isoFromMs } from '@task-manager/core/time/clock';

t.test('isoFromMs writes what toISOString writes', async (t) => {
  const edges = [0, -1, 1, 1.5, Date.now(), 253402300799999, 253402300800000, -62167219200000, -62167219200001, 8.64e15, -8.64e15];
  const random = Array.from({ length: 10_000 }, () => Math.floor((Math.random() * 2 - 1) * 3e14));
  for (const ms of [...edges, ...random]) if (isoFromMs(ms) !== new Date(ms).toISOString()) t.fail(`${ms}: ${isoFromMs(ms)}`);
  t.throws(() => isoFromMs(Number.NaN), RangeError, 'an invalid time throws, as toISOString does');
});
