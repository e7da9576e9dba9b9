// Contract tests: our real bins driving the real `claude` CLI against a fake model
// server on 127.0.0.1. Run with `pnpm exec just contract`, which installs the CLI into
// a cache folder outside the workspace first (not part of the default suite).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { chainOver, fixture, historyOf, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

const cache = process.env.TASK_MANAGER_CONTRACT_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'task-manager-contract');
const claude = path.join(cache, 'node_modules', '.bin', 'claude');
if (!fs.existsSync(claude)) throw new Error(`the real claude CLI is not installed in ${cache}: run \`pnpm exec just contract\``);

const startServer = async (t: { teardown: (f: () => void) => void }, log: string): Promise<number> => {
  const server = spawn(process.execPath, [fixture('..', 'contract', 'fixtures', 'anthropic-server.mjs'), log], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => server.kill('SIGKILL'));
  return new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
};

const setup = async (t: Parameters<typeof sandbox>[0] & { teardown: (f: () => void) => void }) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const requests = path.join(base, 'requests.log');
  const port = await startServer(t, requests);
  const config = path.join(base, 'claude-config');
  fs.mkdirSync(config);
  const env = {
    ...box.env,
    TASK_MANAGER_CLAUDE_BIN: claude,
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
    ANTHROPIC_API_KEY: 'dummy',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    CLAUDE_CONFIG_DIR: config,
    TASK_MANAGER_KILL_GRACE_SECONDS: '5',
  };
  return { box, env, config, requests };
};
const ended = (box: ReturnType<typeof sandbox>, slug: string) => historyOf(box, slug).filter((e) => e.event === 'run_ended');
const sawCount = (text: string | null | undefined) => Number(/saw (\d+) messages/.exec(text ?? '')?.[1] ?? NaN);

t.test('dispatch starts claude, captures the session, judges the run ok; a queued follow-up resumes it', async (t) => {
  const { box, env } = await setup(t);
  const d = await runBin('dispatch', ['c1', '--prompt', 'hello', '--worker', 'claude', '--wait'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(d.code, 0, d.stderr);
  const first = statusOf(box, 'c1');
  t.match(first, { state: 'exited', outcome: 'ok' });
  t.match(first.session_id, /^[0-9a-f-]{36}$/);
  const c = await runBin('dispatch-continue', ['c1', '--prompt', 'and then?'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(c.code, 0, c.stderr);
  await waitFor(() => chainOver(box, 'c1'), 'follow-up over', 90_000);
  const runs = ended(box, 'c1');
  t.equal(runs.length, 2);
  t.equal(runs[1].outcome, 'ok');
  t.equal(statusOf(box, 'c1').session_id, first.session_id, 'the same session');
  t.ok(sawCount(runs[1].result_text) > sawCount(runs[0].result_text), `the server saw the earlier turns (${runs[0].result_text} → ${runs[1].result_text})`);
});

t.test('--interrupt stops a slow run; the next run still resumes the session', async (t) => {
  const { box, env, requests } = await setup(t);
  const d = await runBin('dispatch', ['c2', '--prompt', 'SLOW please', '--worker', 'claude'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => fs.existsSync(requests) && fs.readFileSync(requests, 'utf8').includes('SLOW please'), 'the slow request reached the server', 60_000);
  const session = statusOf(box, 'c2').session_id;
  const c = await runBin('dispatch-continue', ['c2', '--interrupt', '--prompt', 'never mind, say hi'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.match(c.records[0], { result: 'interrupted' });
  await waitFor(() => chainOver(box, 'c2'), 'chain over', 90_000);
  const runs = ended(box, 'c2');
  t.match(runs[0], { state: 'interrupted' });
  t.match(runs[1], { state: 'exited', outcome: 'ok' });
  t.equal(statusOf(box, 'c2').session_id, session, 'resumed the same session after the interrupt');
});

t.test('a forgotten session falls back to a fresh one with a recap; an API error is judged failed', async (t) => {
  const { box, env, config } = await setup(t);
  const d = await runBin('dispatch', ['c3', '--prompt', 'remember the word banana', '--worker', 'claude', '--wait'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(d.code, 0, d.stderr);
  const old = statusOf(box, 'c3').session_id;
  fs.rmSync(path.join(config, 'projects'), { recursive: true, force: true });
  const c = await runBin('dispatch-continue', ['c3', '--prompt', 'what was the word?'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(c.code, 0, c.stderr);
  await waitFor(() => chainOver(box, 'c3'), 'chain over', 90_000);
  const runs = ended(box, 'c3');
  t.match(runs.map((r) => r.outcome), ['ok', 'session_not_found', 'ok']);
  t.not(statusOf(box, 'c3').session_id, old, 'a new session, recorded');
  t.ok(historyOf(box, 'c3').some((e) => e.event === 'session_fallback'));
  const bad = await runBin('dispatch', ['c4', '--prompt', 'FAIL400', '--worker', 'claude', '--wait'], { cwd: box.repo, env, timeoutMs: 90_000 });
  t.equal(bad.code, 5);
  t.match(statusOf(box, 'c4'), { state: 'failed', outcome: 'error', reason: /400|synthetic bad request/ });
});
