// Its own file: the race is the heaviest test, and gets its own time budget.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, nodeWorker, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

t.test('continue racing the end of runs: no follow-up lost, none run twice, never two workers', async (t) => {
  const rounds = Number(process.env.TM_CONTINUE_RACE_ROUNDS ?? 20);
  const box = sandbox(t);
  const dir = path.join(path.dirname(box.repo), 'exclusive');
  fs.mkdirSync(dir);
  const env = { ...box.env, EXCLUSIVE_DIR: dir, TASK_MANAGER_WORKER_CMD: nodeWorker('exclusive.mjs') };
  const sent: string[] = [];
  // Two senders at once, so continue also races continue.
  const sender = async (name: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const prompt = `${name}-${i}`;
      const r = await runBin('dispatch-continue', ['race', '--prompt', prompt], { cwd: box.repo, env });
      t.equal(r.code, 0, r.stderr);
      if (r.code === 0) sent.push(prompt);
    }
  };
  await Promise.all([sender('a', Math.ceil(rounds / 2)), sender('b', Math.floor(rounds / 2))]);
  await waitFor(() => chainOver(box, 'race'), 'chain over', 60_000);
  const ran = fs.readFileSync(path.join(dir, 'prompts'), 'utf8').trim().split('\n');
  t.equal(ran.length, sent.length, `every one of ${sent.length} follow-ups ran once`);
  t.same([...ran].sort(), [...sent].sort(), 'none lost, none twice');
  t.notOk(fs.existsSync(path.join(dir, 'violations')), 'never two workers at once');
  t.equal(statusOf(box, 'race').followups.length, 0);
  t.comment(`continue race: ${rounds} follow-ups, ${ran.length} runs, violations ${fs.existsSync(path.join(dir, 'violations')) ? 'some' : 0}`);
});

