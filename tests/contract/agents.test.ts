// Contract tests: our real bins driving the real agent CLIs (claude, codex, gemini)
// against fake model servers on 127.0.0.1 — no key, no network. `pnpm exec just contract`
// installs the CLIs into a cache folder outside the workspace first; this file is not
// part of the default suite.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { chainOver, fixture, historyOf, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

const cache = process.env.TASK_MANAGER_CONTRACT_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'task-manager-contract');
const binOf = (name: string) => path.join(cache, 'node_modules', '.bin', name);

interface Agent {
  name: 'claude' | 'codex' | 'gemini';
  server: string;
  /** Environment for the agent, given the server's port and a private home. */
  env: (port: number, home: string) => Record<string, string>;
  /** Where its session transcripts live, to make it forget them. */
  sessions: (home: string) => string;
}

const AGENTS: Agent[] = [
  {
    name: 'claude',
    server: 'anthropic-server.mjs',
    env: (port, home) => ({ ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, ANTHROPIC_API_KEY: 'dummy', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CONFIG_DIR: home }),
    sessions: (home) => path.join(home, 'projects'),
  },
  {
    name: 'codex',
    server: 'openai-server.mjs',
    env: (port, home) => {
      fs.writeFileSync(path.join(home, 'config.toml'), `model = "mock-model"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:${port}/v1"\nenv_key = "CODEX_API_KEY"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n`);
      return { CODEX_HOME: home, CODEX_API_KEY: 'dummy' };
    },
    sessions: (home) => path.join(home, 'sessions'),
  },
  {
    name: 'gemini',
    server: 'gemini-server.mjs',
    env: (port, home) => {
      fs.mkdirSync(path.join(home, '.gemini'), { recursive: true });
      fs.writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { maxAttempts: 1 } }));
      return { HOME: home, GEMINI_API_KEY: 'dummy', GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` };
    },
    sessions: (home) => path.join(home, '.gemini', 'tmp'),
  },
];

for (const agent of AGENTS) {
  if (!fs.existsSync(binOf(agent.name))) throw new Error(`the real ${agent.name} CLI is not installed in ${cache}: run \`pnpm exec just contract\``);
}

const setup = async (t: Parameters<typeof sandbox>[0] & { teardown: (f: () => void) => void }, agent: Agent) => {
  const box = sandbox(t);
  const base = path.dirname(box.repo);
  const requests = path.join(base, 'requests.log');
  const server = spawn(process.execPath, [fixture('..', 'contract', 'fixtures', agent.server), requests], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => server.kill('SIGKILL'));
  const port = await new Promise<number>((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  const home = path.join(base, `${agent.name}-home`);
  fs.mkdirSync(home);
  const env = { ...box.env, ...agent.env(port, home), [`TASK_MANAGER_${agent.name.toUpperCase()}_BIN`]: binOf(agent.name), TASK_MANAGER_WORKER: agent.name, TASK_MANAGER_KILL_GRACE_SECONDS: '5' };
  return { box, env, home, requests };
};
const ended = (box: ReturnType<typeof sandbox>, slug: string) => historyOf(box, slug).filter((e) => e.event === 'run_ended');
const saw = (text: string | null | undefined) => Number(/saw (\d+)/.exec(text ?? '')?.[1] ?? NaN);
const LONG = 120_000;

for (const agent of AGENTS) {
  t.test(`${agent.name}: dispatch captures the session and judges ok; a queued follow-up resumes it`, async (t) => {
    const { box, env } = await setup(t, agent);
    const d = await runBin('dispatch', ['a1', '--prompt', 'hello', '--wait'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(d.code, 0, d.stderr);
    const first = statusOf(box, 'a1');
    t.match(first, { state: 'exited', outcome: 'ok' });
    t.match(first.session_id, /^[0-9a-f-]{36}$/, 'session id captured');
    const c = await runBin('dispatch-continue', ['a1', '--prompt', 'and then?'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(c.code, 0, c.stderr);
    await waitFor(() => chainOver(box, 'a1'), 'follow-up over', LONG);
    const runs = ended(box, 'a1');
    t.match(runs.map((r) => r.outcome), ['ok', 'ok']);
    t.equal(statusOf(box, 'a1').session_id, first.session_id, 'the same session');
    t.ok(saw(runs[1].result_text) > saw(runs[0].result_text), `the server saw the earlier turns (${runs[0].result_text} / ${runs[1].result_text})`);
  });

  t.test(`${agent.name}: --interrupt stops a slow run; the next run still resumes`, async (t) => {
    const { box, env, requests } = await setup(t, agent);
    const d = await runBin('dispatch', ['a2', '--prompt', 'SLOW please'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(d.code, 0, d.stderr);
    await waitFor(() => fs.existsSync(requests) && fs.readFileSync(requests, 'utf8').includes('SLOW please'), 'the slow request reached the server', 60_000);
    const session = await waitFor(() => statusOf(box, 'a2').session_id, 'session id known');
    // The prompt reached the model through stdin: it is on no command line.
    const worker = statusOf(box, 'a2').worker;
    t.notMatch(fs.readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8'), /SLOW please/, 'not on the agent\'s command line');
    const c = await runBin('dispatch-continue', ['a2', '--interrupt', '--prompt', 'never mind, say hi'], { cwd: box.repo, env, timeoutMs: LONG });
    t.match(c.records[0], { result: 'interrupted' });
    await waitFor(() => chainOver(box, 'a2'), 'chain over', LONG);
    const runs = ended(box, 'a2');
    t.match(runs[0], { state: 'interrupted' });
    t.match(runs[1], { state: 'exited', outcome: 'ok' });
    t.equal(statusOf(box, 'a2').session_id, session, 'resumed the same session');
    // Claude and Codex keep the interrupted prompt in the session; gemini 0.61.0 resumes
    // the session but drops a turn that never got its reply (the server sees 1 content).
    const minimum = agent.name === 'gemini' ? 1 : 2;
    t.ok(saw(runs[1].result_text) >= minimum, `the resumed request (${runs[1].result_text})`);
  });

  t.test(`${agent.name}: a forgotten session falls back to a fresh one with a recap; an API error is judged failed`, async (t) => {
    const { box, env, home } = await setup(t, agent);
    const d = await runBin('dispatch', ['a3', '--prompt', 'remember the word banana', '--wait'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(d.code, 0, d.stderr);
    const old = statusOf(box, 'a3').session_id;
    fs.rmSync(agent.sessions(home), { recursive: true, force: true });
    const c = await runBin('dispatch-continue', ['a3', '--prompt', 'what was the word?'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(c.code, 0, c.stderr);
    await waitFor(() => chainOver(box, 'a3'), 'chain over', LONG);
    t.match(ended(box, 'a3').map((r) => r.outcome), ['ok', 'session_not_found', 'ok']);
    t.not(statusOf(box, 'a3').session_id, old, 'a new session, recorded');
    t.ok(historyOf(box, 'a3').some((e) => e.event === 'session_fallback'));
    const bad = await runBin('dispatch', ['a4', '--prompt', 'FAIL400', '--wait'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(bad.code, 5);
    t.match(statusOf(box, 'a4'), { state: 'failed', outcome: 'error' });
    t.ok(statusOf(box, 'a4').reason, `the reason is in the status: ${statusOf(box, 'a4').reason}`);
  });
}

for (const agent of AGENTS) {
  t.test(`${agent.name}: a rate limit ends the run limited, not failed; after the reset the heartbeat resumes the session`, async (t) => {
    const { box, env: base } = await setup(t, agent);
    // Our backoff at 1 s (no CLI here prints a reset with retries off); gemini with a
    // fixed model skips its router call, which it would retry on its own.
    const env = { ...base, TASK_MANAGER_LIMIT_BACKOFF_SECONDS: '1', ...(agent.name === 'gemini' ? { TASK_MANAGER_GEMINI_ARGS: '--skip-trust --approval-mode yolo -m gemini-2.5-flash' } : {}) };
    writeTask(box, 'lim', 'status: ready\nprompt: hello');
    t.equal((await runBin('hb-tick', [], { cwd: box.repo, env, timeoutMs: LONG })).code, 0);
    await waitFor(() => chainOver(box, 'lim'), 'first run over', LONG);
    const session = statusOf(box, 'lim').session_id;
    const c = await runBin('dispatch-continue', ['lim', '--prompt', 'LIMIT429 and then?'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(c.code, 0, c.stderr);
    const limited = await waitFor(() => chainOver(box, 'lim'), 'the limited run over', LONG);
    t.match(limited, { state: 'limited', outcome: 'limited', failures: 0, limit: { kind: 'rate' } }, `judged limited: ${limited.reason}`);
    t.ok(Date.parse(limited.limit.resets_at) > Date.parse(limited.ended_at), 'limit_resets_at after the end');
    t.match(limited.followups, [{ prompt: 'LIMIT429 and then?' }], 'the cut-off prompt waits');
    const resumed = await waitFor(async () => {
      const tick = await runBin('hb-tick', [], { cwd: box.repo, env, timeoutMs: LONG });
      return tick.records.find((r) => r.type === 'action' && r.slug === 'lim' && r.result === 'started');
    }, 'a tick dispatches it after the reset', LONG);
    t.ok(resumed);
    const done = await waitFor(() => {
      const s = chainOver(box, 'lim');
      return s && s.state !== 'running' && s.run_id !== limited.run_id ? s : undefined;
    }, 'the resumed run over', LONG);
    t.match(done, { state: 'exited', outcome: 'ok' });
    t.equal(done.session_id, session, 'the same session');
    const runs = ended(box, 'lim');
    t.match(runs.map((r) => r.outcome), ['ok', 'limited', 'ok']);
    t.ok(saw(runs[2].result_text) > saw(runs[0].result_text), `the server saw the earlier turns (${runs[0].result_text} / ${runs[2].result_text})`);
    // Overloaded: limited too, of kind overloaded.
    const o = await runBin('dispatch-continue', ['lim', '--prompt', 'OVERLOAD now'], { cwd: box.repo, env, timeoutMs: LONG });
    t.equal(o.code, 0, o.stderr);
    const over = await waitFor(() => {
      const s = chainOver(box, 'lim');
      return s && s.run_id !== done.run_id ? s : undefined;
    }, 'the overloaded run over', LONG);
    t.match(over, { state: 'limited', limit: { kind: 'overloaded' }, failures: 0 }, `judged overloaded: ${over.reason}`);
  });
}
