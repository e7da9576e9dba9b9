import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, fakeClaudeCalls, firstRecordOf, fakeClaudeEnv, historyOf, nodeWorker, pidAlive, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

t.test('queued while running: runs after, in the same worktree, resuming the session', async (t) => {
  const box = sandbox(t);
  // The first turn ends only when the test opens the gate: the follow-up surely arrives while it runs.
  const gate = path.join(path.dirname(box.repo), 'gate');
  const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_GATE: gate };
  const d = await runBin('dispatch', ['q', '--prompt', 'first', '--worker', 'claude'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const c = await runBin('dispatch-continue', ['q', '--prompt', 'second'], { cwd: box.repo, env });
  t.equal(c.code, 0, c.stderr);
  t.match(c.records[0], { type: 'followup', slug: 'q', result: 'queued', position: 1, mode: 'queue' });
  t.equal(statusOf(box, 'q').followups.length, 1, 'visible in status');
  fs.writeFileSync(gate, '');
  await waitFor(() => chainOver(box, 'q'), 'chain over');
  const calls = fakeClaudeCalls(env);
  t.equal(calls.length, 2);
  t.equal(calls[1].cwd, calls[0].cwd, 'same worktree');
  t.equal(calls[1].session_id, calls[0].session_id, 'same session');
  t.ok(calls[1].argv.includes('--resume'), 'resumed');
  t.equal(calls[1].turn, 2, "the fake's turn counter proves the conversation continued");
  t.equal(calls[1].prompt, 'second');
  const ended = historyOf(box, 'q').filter((e) => e.event === 'run_ended');
  t.equal(ended.length, 2);
  t.ok(ended.every((e) => e.outcome === 'ok'));
  t.match(ended[1].result_text, /turn 2 of session/);
  t.equal(historyOf(box, 'q').filter((e) => e.event === 'run_started' && e.followup_id === c.records[0].followup_id).length, 1);
});

t.test('interrupt: the old group, with a detached grandchild that ignores SIGTERM, is gone before the next run starts', async (t) => {
  const box = sandbox(t);
  const pids = path.join(path.dirname(box.repo), 'hostile.pids');
  const env = { ...box.env, HOSTILE_PIDS: pids, TASK_MANAGER_KILL_GRACE_SECONDS: '1' };
  const d = await runBin('dispatch', ['h', '--prompt', 'first', '--worker-cmd', nodeWorker('hostile.mjs')], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const first = await waitFor(() => firstRecordOf(pids), 'first run pids');
  const c = await runBin('dispatch-continue', ['h', '--interrupt', '--grace', '1', '--prompt', 'second'], { cwd: box.repo, env });
  t.equal(c.code, 0, c.stderr);
  t.match(c.records[0], { result: 'interrupted', position: 1 });
  const check = await waitFor(() => firstRecordOf(`${pids}.check`), 'second run started');
  t.same(check.survivors, [], 'nothing of the first run was alive when the second started');
  t.notOk(pidAlive(first.worker));
  t.notOk(pidAlive(first.grandchild));
  const ended = historyOf(box, 'h').filter((e) => e.event === 'run_ended');
  t.match(ended[0], { state: 'interrupted', outcome: 'interrupted' });
  t.match(statusOf(box, 'h'), { state: 'running', followup_id: c.records[0].followup_id });
});

t.test('continue on a finished task resumes it; on a never-dispatched task it starts it', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, ...fakeClaudeEnv(box) };
  const d = await runBin('dispatch', ['done', '--prompt', 'first', '--worker', 'claude', '--wait'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  const c = await runBin('dispatch-continue', ['done', '--prompt', 'again'], { cwd: box.repo, env });
  t.equal(c.code, 0, c.stderr);
  t.match(c.records[0], { result: 'started', position: 0 });
  await waitFor(() => chainOver(box, 'done'), 'chain over');
  const calls = fakeClaudeCalls(env);
  t.equal(calls[1].session_id, calls[0].session_id);
  t.equal(calls[1].turn, 2);

  const fresh = await runBin('dispatch-continue', ['never', '--prompt', 'hello', '--worker', 'claude'], { cwd: box.repo, env });
  t.equal(fresh.code, 0, fresh.stderr);
  t.match(fresh.records[0], { result: 'started' });
  await waitFor(() => chainOver(box, 'never'), 'chain over');
  t.match(statusOf(box, 'never'), { state: 'exited', outcome: 'ok' });
});

t.test('a resume whose session is gone falls back to a fresh session with a recap', async (t) => {
  const box = sandbox(t);
  const fake = fakeClaudeEnv(box);
  const env = { ...box.env, ...fake };
  const d = await runBin('dispatch', ['lost', '--prompt', 'the original task', '--worker', 'claude', '--wait'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  fs.rmSync(path.join(fake.CLAUDE_CONFIG_DIR!, 'projects'), { recursive: true, force: true });
  const c = await runBin('dispatch-continue', ['lost', '--prompt', 'next step'], { cwd: box.repo, env });
  t.equal(c.code, 0, c.stderr);
  const over = await waitFor(() => chainOver(box, 'lost'), 'chain over');
  t.match(over, { state: 'exited', outcome: 'ok' });
  const calls = fakeClaudeCalls(env);
  t.equal(calls.length, 3, 'start, failed resume, fresh fallback');
  t.ok(calls[1].argv.includes('--resume'));
  t.notOk(calls[2].argv.includes('--resume'));
  t.not(calls[2].session_id, calls[0].session_id, 'a new session');
  t.match(calls[2].prompt, /the original task/);
  t.match(calls[2].prompt, /next step/);
  const history = historyOf(box, 'lost');
  t.ok(history.some((e) => e.event === 'session_fallback'));
  t.equal(over.session_id, calls[2].session_id, 'the new id is recorded');
});

t.test('history survives a restart of everything and tells the whole story of prompts and runs', async (t) => {
  const box = sandbox(t);
  const gate = path.join(path.dirname(box.repo), 'gate');
  const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_GATE: gate };
  const d = await runBin('dispatch', ['story', '--prompt', 'write the parser', '--worker', 'claude'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  // The follow-up comes once the agent has said its session (else the two lines of
  // history below could come in either order).
  await waitFor(() => historyOf(box, 'story').some((e) => e.event === 'session_seen'), 'the agent started its session');
  const q = await runBin('dispatch-continue', ['story', '--prompt', 'add tests'], { cwd: box.repo, env });
  t.equal(q.records[0].result, 'queued');
  fs.writeFileSync(gate, '');
  await waitFor(() => chainOver(box, 'story'), 'first chain over');
  // "Restart everything": nothing of ours is running; a new chain picks the story up.
  const c = await runBin('dispatch-continue', ['story', '--prompt', 'update the docs'], { cwd: box.repo, env });
  t.equal(c.records[0].result, 'started');
  await waitFor(() => chainOver(box, 'story'), 'second chain over');
  const history = historyOf(box, 'story');
  t.same(
    history.map((e) => e.event),
    [
      'dispatch_requested', 'claimed', 'run_started', 'session_seen', 'followup_queued', 'run_ended', 'run_started', 'run_ended', 'released',
      'followup_queued', 'claimed', 'run_started', 'session_seen', 'run_ended', 'released',
    ],
  );
  t.same(history.filter((e) => e.prompt).map((e) => e.prompt), ['write the parser', 'add tests', 'update the docs'], 'every prompt, in order');
  const runs = history.filter((e) => e.event === 'run_started');
  // The prompt is not on the agent's command line (it reads it on stdin): a run names its
  // follow-up, and the first run carries the dispatch's prompt.
  const promptOf = (run: Record<string, any>) =>
    run.followup_id === null ? history.find((e) => e.event === 'dispatch_requested')?.prompt : history.find((e) => e.event === 'followup_queued' && e.followup_id === run.followup_id)?.prompt;
  t.same(runs.map(promptOf), ['write the parser', 'add tests', 'update the docs'], 'which run carried which prompt');
  t.same(fakeClaudeCalls(env).map((call) => call.prompt), ['write the parser', 'add tests', 'update the docs'], 'and the agent read each on its stdin');
  t.same(runs.map((e) => e.followup_id), [null, q.records[0].followup_id, c.records[0].followup_id]);
  t.ok(history.filter((e) => e.event === 'run_ended').every((e) => e.outcome === 'ok' && e.session_id === runs[0].session_id), 'one session throughout, every run ok');
  t.ok(history.every((e) => e.type === 'history' && typeof e.ts === 'string' && e.slug === 'story'));
});

t.test('a follow-up whose chain failed before its run started goes back to the head of the queue, and runs next', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, ...fakeClaudeEnv(box) };
  const d = await runBin('dispatch', ['back', '--prompt', 'first', '--worker', 'claude'], { cwd: box.repo, env });
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => chainOver(box, 'back'), 'the first chain over');
  // The follow-up starts a chain whose supervisor fails before the run starts.
  const failed = await runBin('dispatch-continue', ['back', '--prompt', 'second'], { cwd: box.repo, env: { ...env, TASK_MANAGER_FAULT: 'throw:supervisor-owned' } });
  t.equal(failed.code, 1, 'the send reports the failed start');
  const id = historyOf(box, 'back').find((e) => e.event === 'followup_queued')?.followup_id;
  await waitFor(() => statusOf(box, 'back')?.state === 'failed', 'the failed chain recorded');
  t.match(statusOf(box, 'back'), { outcome: 'start_failed', followup_id: null, followups: [{ id, prompt: 'second', cut_off_at: /^\d{4}-/ }] }, 'back at the head, carried no more');
  t.match(historyOf(box, 'back').find((e) => e.event === 'followup_requeued'), { followup_id: id });
  // The next chain runs it before a newer follow-up, once.
  const next = await runBin('dispatch-continue', ['back', '--prompt', 'third'], { cwd: box.repo, env });
  t.equal(next.code, 0, next.stderr);
  await waitFor(() => chainOver(box, 'back') && statusOf(box, 'back').followups.length === 0, 'the queue ran');
  t.same(fakeClaudeCalls(env).map((c: { prompt: string }) => c.prompt), ['first', 'second', 'third']);
});
