#!/usr/bin/env node
// The store's own operations, in one process, over a store given by URL (or `file` with a
// state directory): node bench/measure/store-ops.mjs STORE STATE_DIR [N]. Prints JSON:
// per-operation times (ms) of
//   section  — a task's critical section with one status write and one history event
//              (what a claim or a queued follow-up costs, less the tool around it);
//   handoff  — a supervisor's fenced section with two writes (the run's end, the next
//              run's start) and two history events (run_ended, followup_started's story).
// `import STATE_DIR N` (as the last arguments) first copies N statuses in for a snapshot.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { status } from '../lib/fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { openStore } = await import(path.join(root, 'shared', 'core', 'dist', 'store', 'open-store.js'));
const [spec, stateDir, what = 'ops', countText = '200'] = process.argv.slice(2);
const n = Number(countText);
const store = await openStore(spec, stateDir);
await store.prepare({ write: true });
try {
  if (what === 'import') {
    // Eight at a time: a copy of many tasks, as store-copy makes it.
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = next++; i < n; i = next++) await store.importTask(`task-${String(i).padStart(5, '0')}`, status(`task-${String(i).padStart(5, '0')}`, i), []);
    }));
    process.stdout.write(`${JSON.stringify({ imported: n })}\n`);
  } else {
    const slug = `bench-${process.pid}`;
    const section = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await store.withTask(slug, async (s) => {
        await s.write({ ...status(slug, 1), fence: 1, state: 'exited', attempt: i });
        s.history({ event: 'bench', i });
      });
      section.push(performance.now() - t0);
    }
    const handoff = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await store.withOwnedTask(slug, 1, async (s) => {
        const ended = await s.write({ ...s.status, state: 'exited', attempt: i });
        await s.write({ ...ended, state: 'exited', run_id: `r-${i}` });
        s.history({ event: 'run_ended', i });
        s.history({ event: 'followup_started', i });
      });
      handoff.push(performance.now() - t0);
    }
    process.stdout.write(`${JSON.stringify({ section, handoff })}\n`);
  }
} finally {
  await store.close();
}
