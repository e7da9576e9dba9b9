#!/usr/bin/env node
// The end-to-end tests that hold for any store, run again on PostgreSQL: one throwaway
// server (127.0.0.1, a free port) for the run, a schema per sandbox (fixtures/sandbox.ts
// reads TM_TEST_STORE), stopped after. `just test` runs it after the whole suite.
// The files listed drive the tools and read state through fixtures/state.ts. Left out:
// the ones that test the state files themselves (damage, links, permissions, fences,
// locks), and those that need an orphan or a worker's own pid: on PostgreSQL a run is
// contained (it dies with its supervisor, and sees itself as pid 1 of its namespace:
// docs/reliability.md), so continue.test.ts's pid checks and stop.test.ts's orphan do
// not apply there; tests/fleet/ covers what containment does instead. Of the reliability
// files, the tests that do not look at the state files run too (ON_POSTGRES_GREP).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgServer } from '../scripts/pg-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ON_POSTGRES = [
  'tests/continue/continue-race.test.ts',
  'tests/continue/client-key.test.ts',
  'tests/limits/limits.test.ts',
  'tests/worktree/run-branch.test.ts',
  'tests/worktree/checkout-hook.test.ts',
  'tests/worktree/new-worktree-notes.test.ts',
];

// Files whose other tests are about the state files themselves: these tests only.
export const ON_POSTGRES_GREP = {
  files: ['tests/reliability/faults.test.ts', 'tests/reliability/races-input.test.ts'],
  grep: 'kill -9 at every step boundary|crash-looping|start race|bad NDJSON|security',
};

const server = await startPgServer();
let status = 1;
try {
  const args = process.argv.slice(2);
  const env = { ...process.env, TM_TEST_STORE: server.url };
  const whole = spawnSync('tap', [...args, ...ON_POSTGRES], { cwd: root, stdio: 'inherit', env });
  const some = spawnSync('tap', [...args, `--grep=${ON_POSTGRES_GREP.grep}`, ...ON_POSTGRES_GREP.files], { cwd: root, stdio: 'inherit', env });
  status = whole.status || some.status || (whole.status === null || some.status === null ? 1 : 0);
} finally {
  await server.stop();
}
process.exit(status);
