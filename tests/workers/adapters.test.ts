import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { judgeRun } from '@task-manager/core/workers/judge-run';
import { buildRecapPrompt } from '@task-manager/core/workers/recap-prompt';
import { getAdapter } from '@task-manager/core/workers/registry';
import type { RunEnd, WorkerAdapter } from '@task-manager/core/workers/types';
import { fakeClaudeCalls, fakeClaudeEnv, GIT_ENV, runBin, sandbox } from '../fixtures/e2e.js';

const feed = (adapter: WorkerAdapter, lines: string[]) => {
  const parser = adapter.parser();
  for (const line of lines) parser.line(line);
  return parser.observed;
};
const judge = (name: string, lines: string[], end: Partial<RunEnd> = {}) => {
  const adapter = getAdapter(name);
  return judgeRun(adapter, { exitCode: 0, signal: null, observed: feed(adapter, lines), ...end }, LIMITS);
};
const j = (o: object) => JSON.stringify(o);
const LIMITS = { stallMs: 900_000, maxRunMs: 7_200_000 };

t.test('argv: the prompt on stdin, never on the command line; sessions chosen up front where the CLI allows it', async (t) => {
  const prompt = '-starts with a dash: secret plan';
  const claude = getAdapter('claude').invocation({ prompt, worktree: '/wt', slug: 's' });
  t.same(claude.args, ['-p', '--output-format', 'stream-json', '--verbose', '--session-id', claude.sessionId, '--permission-mode', 'acceptEdits'], 'claude -p with no prompt argument reads stdin');
  t.equal(claude.stdin, prompt);
  const resumed = getAdapter('claude').invocation({ prompt: 'p', worktree: '/wt', slug: 's', resumeSessionId: 'abc' });
  t.ok(resumed.args.includes('--resume') && resumed.args.includes('abc') && !resumed.args.includes('--session-id'));
  t.equal(resumed.sessionId, 'abc');
  const codex = getAdapter('codex').invocation({ prompt, worktree: '/wt', slug: 's', resumeSessionId: 'th-1' });
  t.same(codex.args, ['exec', '--json', '--skip-git-repo-check', '-s', 'workspace-write', '-C', '/wt', 'resume', 'th-1', '-'], '-s and -C before resume; `-`: the prompt from stdin');
  t.equal(codex.stdin, prompt);
  t.equal(getAdapter('codex').invocation({ prompt: 'p', worktree: '/wt', slug: 's' }).sessionId, undefined, 'codex ids come from the stream');
  const gemini = getAdapter('gemini').invocation({ prompt, worktree: '/wt', slug: 's' });
  t.notOk(gemini.args.some((a) => a.startsWith('--prompt') || a === '-p'), 'no --prompt: headless gemini takes stdin as the prompt');
  t.equal(gemini.stdin, prompt);
  t.ok(gemini.args.includes('--session-id'));
  const demo = getAdapter('demo').invocation({ prompt, worktree: '/wt', slug: 's' });
  t.equal(demo.stdin, prompt);
  for (const inv of [claude, codex, gemini, demo]) t.notOk(inv.args.some((a) => a.includes('secret plan')), `${inv.file}: the prompt is not an argument`);
  const cmd = getAdapter('command');
  t.same(cmd.invocation({ prompt: 'do "it"', worktree: '/wt', slug: 's', workerCmd: `python3 agent.py --task {prompt} --name 'my agent'` }).args, ['agent.py', '--task', 'do "it"', '--name', 'my agent']);
  t.same(cmd.invocation({ prompt: 'x; rm -rf /', worktree: '/wt', slug: 's', workerCmd: 'agent --go' }).args, ['--go', 'x; rm -rf /'], 'appended, never parsed');
  t.throws(() => cmd.invocation({ prompt: 'p', worktree: '/wt', slug: 's', workerCmd: 'agent | tee log' }), { code: 'usage', message: /operator "\|"/ });
  t.throws(() => getAdapter('nope'), { code: 'usage', message: /claude, codex, gemini, demo, command/ });
});

t.test('judging claude: final event and error flag first, exit code second', async (t) => {
  const sid = '9f0493b3-0a83-4e71-b3e6-542b3edcac14';
  const init = j({ type: 'system', subtype: 'init', session_id: sid });
  const ok = j({ type: 'result', subtype: 'success', is_error: false, result: 'done', session_id: sid, total_cost_usd: 0.001 });
  t.match(judge('claude', [init, ok]), { state: 'exited', outcome: 'ok' });
  t.equal(feed(getAdapter('claude'), [init, ok]).costUsd, 0.001);
  t.equal(feed(getAdapter('claude'), [init]).sessionId, sid);
  const apiError = j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 400, result: 'API Error: 400 bad', session_id: sid });
  t.match(judge('claude', [init, apiError], { exitCode: 1 }), { state: 'failed', outcome: 'error', reason: 'API Error: 400 bad' }, 'subtype success with is_error is an error');
  const aborted = j({ type: 'result', subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming', session_id: sid });
  t.match(judge('claude', [init, aborted], { exitCode: 0 }), { state: 'interrupted' }, 'SIGINT exits 0 but is not success');
  t.match(judge('claude', [init], { exitCode: null, signal: 'SIGTERM' }), { state: 'interrupted' });
  t.match(judge('claude', [init], { exitCode: 0 }), { state: 'failed', reason: /no final event/ });
  const notFound = j({ type: 'result', subtype: 'error_during_execution', is_error: true, errors: [`No conversation found with session ID: ${sid}`] });
  t.match(judge('claude', [notFound], { exitCode: 1 }), { outcome: 'session_not_found' });
  t.match(judge('claude', [`No conversation found with session ID: ${sid}`], { exitCode: 1 }), { outcome: 'session_not_found' }, 'from stderr too');
  t.match(judge('claude', [init, ok], { stoppedBy: 'interrupt' }), { state: 'interrupted', outcome: 'interrupted' });
  t.match(judge('claude', [], { stoppedBy: 'stall' }), { state: 'stalled', outcome: 'stalled' });
  t.match(judge('claude', [], { stoppedBy: 'timeout' }), { state: 'stalled', outcome: 'timeout' });
  t.match(judge('claude', [], { exitCode: null, spawnError: 'program "claude" not found' }), { outcome: 'start_failed' });
});

t.test('judging codex and gemini on their captured streams', async (t) => {
  const thread = j({ type: 'thread.started', thread_id: '01a20ee6-9dcf-7651-aade-e24ef6a9fb87' });
  const msg = j({ type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: 'codex reply' } });
  const warn = j({ type: 'item.completed', item: { id: 'item_0', type: 'error', message: 'Model metadata not found' } });
  const done = j({ type: 'turn.completed', usage: { input_tokens: 220 } });
  t.match(judge('codex', [thread, warn, j({ type: 'turn.started' }), msg, done]), { state: 'exited', outcome: 'ok' });
  t.equal(feed(getAdapter('codex'), [thread]).sessionId, '01a20ee6-9dcf-7651-aade-e24ef6a9fb87');
  t.equal(feed(getAdapter('codex'), [thread, msg, done]).final?.text, 'codex reply');
  const failed = j({ type: 'turn.failed', error: { message: 'synthetic bad request' } });
  t.match(judge('codex', [thread, j({ type: 'error', message: 'Reconnecting... 1/5' }), failed], { exitCode: 1 }), { state: 'failed', reason: 'synthetic bad request' });
  t.match(judge('codex', [thread], { exitCode: 1 }), { state: 'failed', reason: /no final event/ }, 'SIGINT: exit 1, no final event');
  t.match(judge('codex', ['Error: thread/resume: thread/resume failed: no rollout found for thread id abc (code -32600)'], { exitCode: 1 }), { outcome: 'session_not_found' });

  const init = j({ type: 'init', session_id: '23aff7da-2d42-43e5-a373-35d7e43eaab6', model: 'auto' });
  const delta = (s: string) => j({ type: 'message', role: 'assistant', content: s, delta: true });
  const ok = j({ type: 'result', status: 'success', stats: { total_tokens: 204 } });
  t.match(judge('gemini', [init, delta('gemini '), delta('reply'), ok]), { state: 'exited', outcome: 'ok' });
  t.equal(feed(getAdapter('gemini'), [init, delta('a'), delta('b'), ok]).final?.text, 'ab');
  const apiError = j({ type: 'result', status: 'error', error: { type: 'unknown', message: '[API Error: 400]' } });
  t.match(judge('gemini', [init, apiError], { exitCode: 144 }), { state: 'failed', reason: '[API Error: 400]' });
  t.match(judge('gemini', [init, delta('partial')], { exitCode: 0 }), { state: 'failed', reason: /no final event/ }, 'SIGTERM: exit 0 with no result is not success');
  t.match(judge('gemini', ['Error resuming session: Invalid session identifier "x". Searched for sessions in /tmp'], { exitCode: 42 }), { outcome: 'session_not_found' });
  t.match(judge('command', [], { exitCode: 0 }), { state: 'exited', outcome: 'ok' });
  t.match(judge('command', [], { exitCode: 7 }), { state: 'failed', reason: 'exit code 7' });
  t.match(judge('command', [], { exitCode: 3, lastLine: 'error: no such file tests/x' }), { reason: 'exit code 3: error: no such file tests/x' }, 'the last words of the worker say why');
  t.match(judge('command', [], { stoppedBy: 'stall' }), { outcome: 'stalled', reason: 'no output for 900 s (the stall limit)' }, 'the stall limit is named with its number');
  t.match(judge('command', [], { stoppedBy: 'timeout' }), { outcome: 'timeout', reason: 'still running after 7200 s (the run-time limit)' });
  t.match(judge('claude', [], { exitCode: 1, lastLine: 'Error: Invalid API key' }), { reason: 'no final event from the agent (exit code 1): Error: Invalid API key' });
});

t.test('the recap prompt carries the history, newest kept, then the instruction', async (t) => {
  const records = [
    { type: 'history', ts: '', slug: 's', event: 'dispatch_requested', prompt: 'Fix the login redirect' },
    { type: 'history', ts: '', slug: 's', event: 'run_ended', outcome: 'ok', result_text: 'Fixed it in auth.ts' },
    { type: 'history', ts: '', slug: 's', event: 'followup_queued', prompt: 'Add a test' },
  ];
  const recap = buildRecapPrompt(records, 'Now rebase on main');
  t.match(recap, /Fix the login redirect[\s\S]*Fixed it in auth\.ts[\s\S]*Add a test[\s\S]*Now rebase on main$/);
  const long = Array.from({ length: 500 }, (_, i) => ({ type: 'history', ts: '', slug: 's', event: 'followup_queued', prompt: `step ${i} ${'x'.repeat(100)}` }));
  const bounded = buildRecapPrompt(long, 'go');
  t.ok(bounded.length < 14_000, 'bounded');
  t.match(bounded, /step 499/, 'the newest kept');
  t.notMatch(bounded, /step 0 /);
});

t.test('a prompt with quotes, newlines, a leading dash, unicode and shell metacharacters reaches claude byte for byte', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, ...fakeClaudeEnv(box) };
  const prompt = `-rf "quoted" 'single' \`back\` $(echo no) $HOME ; | & > < * ?\nsecond line\ttab — ünïcödé 🚀 \\ end`;
  const r = await runBin('dispatch', ['bytes', '--prompt', prompt, '--worker', 'claude', '--wait'], { cwd: box.repo, env });
  t.equal(r.code, 0, r.stderr);
  t.equal(fakeClaudeCalls(env)[0]?.prompt, prompt);
  const viaStdin = await runBin('dispatch', ['-', '--worker', 'claude', '--wait'], { cwd: box.repo, env, input: `${JSON.stringify({ slug: 'bytes2', prompt })}\n` });
  t.equal(viaStdin.code, 0, viaStdin.stderr);
  t.equal(fakeClaudeCalls(env)[1]?.prompt, prompt, 'through an NDJSON record too');
});

t.test('the demo agent: commits in its worktree, resumes its session, and is judged ok', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-demo-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'init'], { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  const adapter = getAdapter('demo');
  const runOnce = (resumeSessionId?: string) =>
    new Promise<{ code: number | null; lines: string[]; sessionId?: string }>((resolve) => {
      const inv = adapter.invocation({ prompt: 'add a note', worktree: dir, slug: 's', resumeSessionId });
      const child = spawn(inv.file, inv.args, { cwd: dir, env: { ...process.env, TASK_MANAGER_DEMO_DELAY_MS: '5' }, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin.end(inv.stdin);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, lines: out.trim().split('\n'), sessionId: inv.sessionId }));
    });
  const first = await runOnce();
  t.equal(first.code, 0);
  t.match(judgeRun(adapter, { exitCode: 0, signal: null, observed: feed(adapter, first.lines) }, LIMITS), { outcome: 'ok' });
  const second = await runOnce(first.sessionId);
  t.match(feed(adapter, second.lines).final?.text, /turn 2 of session/);
  t.equal(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim(), '3', 'one commit per turn');
  t.match(fs.readFileSync(path.join(dir, 'DEMO_NOTES.md'), 'utf8'), /turn 1 of session .*: add a note/, 'the prompt arrived on stdin');
  t.equal(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' }), '', 'transcripts stay out of git status');
  const lost = await runOnce('00000000-0000-4000-8000-000000000000');
  t.equal(lost.code, 1);
  t.match(judgeRun(adapter, { exitCode: 1, signal: null, observed: feed(adapter, lost.lines) }, LIMITS), { outcome: 'session_not_found' });
});
