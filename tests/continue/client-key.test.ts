// A sender that retries (its first answer was lost) names the follow-up with a client
// key: the retry returns the first follow-up, and it is queued and run once.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, fakeClaudeCalls, fakeClaudeEnv, historyOf, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

t.test('the same --client-key twice: one follow-up, queued once, run once', async (t) => {
  const box = sandbox(t);
  const gate = path.join(path.dirname(box.repo), 'gate');
  const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_GATE: gate };
  const d = await runBin('dispatch', ['k', '--prompt', 'first', '--worker', 'claude'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const first = await runBin('dispatch-continue', ['k', '--prompt', 'second', '--client-key', 'req-1'], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  t.match(first.records[0], { result: 'queued', position: 1 });
  const again = await runBin('dispatch-continue', ['k', '--prompt', 'second', '--client-key', 'req-1'], { cwd: box.repo, env });
  t.equal(again.code, 0, again.stderr);
  t.match(again.records[0], { result: 'duplicate', followup_id: first.records[0].followup_id, position: 1 });
  t.equal(statusOf(box, 'k').followups.length, 1, 'queued once');
  // A record on stdin carries its own key; another key is another follow-up.
  const other = await runBin('dispatch-continue', ['-'], { cwd: box.repo, env, input: `${JSON.stringify({ slug: 'k', prompt: 'third', client_key: 'req-2' })}\n` });
  t.match(other.records[0], { result: 'queued', position: 2 });
  fs.writeFileSync(gate, '');
  await waitFor(() => chainOver(box, 'k'), 'chain over');
  t.same(fakeClaudeCalls(env).map((c) => c.prompt), ['first', 'second', 'third'], 'each prompt ran once, in order');
  // After it ran, a late retry still finds it: nothing new is queued or run.
  const late = await runBin('dispatch-continue', ['k', '--prompt', 'second', '--client-key', 'req-1'], { cwd: box.repo, env });
  t.match(late.records[0], { result: 'duplicate', followup_id: first.records[0].followup_id });
  t.equal(statusOf(box, 'k').followups.length, 0);
  t.equal(historyOf(box, 'k').filter((e) => e.event === 'followup_queued').length, 2, 'history tells two follow-ups, not four');
});

t.test('a bad client key: usage on the command line, bad input in a record', async (t) => {
  const box = sandbox(t);
  const flag = await runBin('dispatch-continue', ['k', '--prompt', 'x', '--client-key', 'has space'], { cwd: box.repo, env: box.env });
  t.equal(flag.code, 2, flag.stderr);
  t.match(flag.stderr, /--client-key must be 1-200 printable characters/);
  const both = await runBin('dispatch-continue', ['-', '--prompt', 'x', '--client-key', 'k1'], { cwd: box.repo, env: box.env, input: '' });
  t.equal(both.code, 2, 'one key cannot name many follow-ups');
  const record = await runBin('dispatch-continue', ['-'], { cwd: box.repo, env: box.env, input: `${JSON.stringify({ slug: 'k', prompt: 'x', client_key: '' })}\n` });
  t.equal(record.code, 4, record.stderr);
  t.match(record.records[0], { type: 'error', code: 'invalid_field' });
});
