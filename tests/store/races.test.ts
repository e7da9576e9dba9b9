// Races between real processes over each store: many claims of one slug, and follow-ups
// sent by two processes while a "supervisor" process takes them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { finish, race, startActor } from '../fixtures/store/actors.js';
import { freshSchema, pgServer, withSchema } from '../fixtures/pg-server.js';

const pg = await pgServer(t);

const SPECS: Record<string, (t: typeof import('tap').default) => string> = {
  file: (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-race-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    return `file:${path.join(dir, 'logs')}`;
  },
  postgres: () => withSchema(pg.url, freshSchema('race')),
};

const CLAIMERS = 12;
const ROUNDS = Number(process.env.TM_STORE_RACE_ROUNDS ?? 3);
const PER_SENDER = 25;

for (const [kind, specFor] of Object.entries(SPECS)) {
  t.test(`${kind}: ${CLAIMERS} processes claim one slug at once: exactly one wins, every round`, async (t) => {
    for (let round = 0; round < ROUNDS; round++) {
      const spec = specFor(t);
      const actors = Array.from({ length: CLAIMERS }, () => startActor(spec, ['claim', 'contested']));
      await race(actors);
      await finish(actors);
      const wins = actors.flatMap((a) => a.lines.filter((l) => l.won !== undefined).map((l) => l.won));
      const refused = actors.filter((a) => a.lines.some((l) => l.refused)).length;
      t.same(wins, [1], `round ${round}: one winner, with fence 1`);
      t.equal(refused, CLAIMERS - 1, `round ${round}: every other claim refused`);
    }
  });

  t.test(`${kind}: two senders and a supervisor: every follow-up taken once, in the order sent`, async (t) => {
    const spec = specFor(t);
    const supervisor = startActor(spec, ['supervise', 'queue', String(PER_SENDER * 2)]);
    const senders = ['a', 'b'].map((name) => startActor(spec, ['send', 'queue', name, String(PER_SENDER)]));
    await race([supervisor, ...senders]);
    await finish([supervisor, ...senders]);
    const taken = supervisor.lines.filter((l) => l.took).map((l) => l.took as string);
    const sent = senders.flatMap((s) => s.lines.filter((l) => l.sent).map((l) => l.sent as string));
    t.equal(sent.length, PER_SENDER * 2, 'every follow-up sent');
    t.equal(new Set(taken).size, taken.length, '0 doubled');
    t.same([...taken].sort(), [...sent].sort(), '0 lost');
    for (const name of ['a', 'b']) {
      const mine = taken.filter((id) => id.startsWith(`${name}-`));
      t.same(mine, Array.from({ length: PER_SENDER }, (_, i) => `${name}-${i + 1}`), `sender ${name}'s follow-ups taken in the order sent (FIFO)`);
    }
  });
}
