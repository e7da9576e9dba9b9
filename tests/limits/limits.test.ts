// When the agent's account runs out: limited runs, account-wide waits, resuming, budgets.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { claudeLimit, commandLimit, limitFromText } from '@task-manager/core/workers/limit-signal';
import { limitWaitMs } from '@task-manager/core/workers/limit-wait';
import { chainOver, fakeClaudeCalls, fakeClaudeEnv, historyOf, runBin, sandbox, statusOf, waitFor, writeTask } from '../fixtures/e2e.js';

t.test('what each CLI prints for a limit is recognised, with the reset it gives', async (t) => {
  // claude, subscription: rate_limit_event first, then the error result.
  const seen = claudeLimit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1_900_000_000 } }, undefined);
  t.match(seen, { kind: 'usage', resetsAtMs: 1_900_000_000_000 });
  t.match(claudeLimit({ type: 'result', is_error: true, api_error_status: 429, result: "You've hit your session limit · resets 2:58pm (UTC)" }, seen), { kind: 'usage', resetsAtMs: 1_900_000_000_000 }, 'the epoch, not the human time');
  // claude, API key: api_retry gives the delay; the result says 429.
  const retry = claudeLimit({ type: 'system', subtype: 'api_retry', retry_delay_ms: 30000, error_status: 429 }, undefined);
  t.match(claudeLimit({ type: 'result', is_error: true, api_error_status: 429, result: 'API Error: Request rejected (429) · rate limit' }, retry), { kind: 'rate', retryAfterMs: 30000 });
  t.match(claudeLimit({ type: 'result', is_error: true, api_error_status: null, result: 'API Error: Repeated 529 Overloaded errors' }, undefined), { kind: 'overloaded' });
  t.equal(claudeLimit({ type: 'result', is_error: true, api_error_status: 400, result: 'API Error: 400 bad request' }, undefined), undefined, 'another error is not a limit');
  // codex and gemini: the error text.
  t.match(limitFromText('exceeded retry limit, last status: 429 Too Many Requests, request id: x'), { kind: 'rate' });
  t.match(limitFromText('You’ve hit your usage limit. Upgrade to Pro or try again at 2:58 PM.'), { kind: 'usage' });
  t.match(limitFromText('rate limit exceeded: slow down. Please try again in 30s.'), { kind: 'rate', retryAfterMs: 30000 });
  t.match(limitFromText('Quota exceeded. Check your plan and billing details.'), { kind: 'usage' });
  t.match(limitFromText('[API Error: Quota exceeded for quota metric x. Suggested retry after 30s.]'), { kind: 'rate', retryAfterMs: 30000 });
  t.match(limitFromText('[API Error: You have exhausted your daily quota on this model.]'), { kind: 'usage' });
  t.match(limitFromText('[API Error: The model is overloaded. Please try again later.]'), { kind: 'overloaded' });
  t.equal(limitFromText('TypeError: x is not a function'), undefined);
  t.match(commandLimit('task-manager: limit usage retry_after=600'), { kind: 'usage', retryAfterMs: 600_000 });
  t.equal(commandLimit('limit usage'), undefined, 'only the exact line counts');
});

t.test('the wait: the reset the agent gave, else its delay, else a doubling backoff (an hour at least for a used-up quota)', async (t) => {
  const now = 1_000_000;
  t.equal(limitWaitMs({ kind: 'usage', resetsAtMs: now + 5000 }, 1, 900_000, now), 5000);
  t.equal(limitWaitMs({ kind: 'rate', retryAfterMs: 30_000 }, 3, 900_000, now), 30_000);
  t.equal(limitWaitMs({ kind: 'rate' }, 1, 900_000, now), 900_000);
  t.equal(limitWaitMs({ kind: 'rate' }, 3, 900_000, now), 3_600_000, 'doubling while limits repeat');
  t.equal(limitWaitMs({ kind: 'rate' }, 20, 900_000, now), 6 * 3_600_000, 'capped');
  t.equal(limitWaitMs({ kind: 'usage' }, 1, 900_000, now), 3_600_000, 'a quota with no time: at least an hour');
});

const limitCmd = (box: ReturnType<typeof sandbox>, seconds: number) => {
  const script = path.join(path.dirname(box.repo), 'limited.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho "working on: $1" >> ${path.join(path.dirname(box.repo), 'prompts.log')}\necho "task-manager: limit usage retry_after=${seconds}"\nexit 1\n`, { mode: 0o755 });
  return `${script} {prompt}`;
};

t.test('a limited run is not a failure; the account waits, other tasks of it wait, other workers go on', async (t) => {
  const box = sandbox(t);
  const cmd = limitCmd(box, 600);
  const env = { ...box.env, TASK_MANAGER_WORKER_CMD: cmd };
  const r = await runBin('dispatch', ['first', '--prompt', 'cut off here'], { cwd: box.repo, env });
  t.equal(r.code, 0, r.stderr);
  const end = await waitFor(() => chainOver(box, 'first'), 'the run ended');
  t.match(end, { state: 'limited', outcome: 'limited', failures: 0, reason: /usage limit/, limit: { kind: 'usage', wait_ms: 600_000, streak: 1 } });
  t.ok(Math.abs(Date.parse(end.limit.resets_at) - (Date.now() + 600_000)) < 60_000, 'resets in about ten minutes');
  t.match(end.followups, [{ prompt: 'cut off here', mode: 'queue' }], 'the prompt that was cut off waits at the head of the queue');
  t.match(historyOf(box, 'first').filter((e) => e.event === 'limited'), [{ kind: 'usage', streak: 1 }]);
  writeTask(box, 'first', 'status: ready');
  writeTask(box, 'same-account', 'status: ready');
  writeTask(box, 'other-worker', 'status: ready\nworker: demo');
  const plan = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  const cls = Object.fromEntries(plan.records.filter((x) => x.type === 'task').map((x) => [x.slug, x]));
  t.match(cls.first, { class: 'limited', until: /Z$/ });
  t.match(cls['same-account'], { class: 'limited', reason: /account is limited.*first/ }, 'the same account waits too');
  t.match(cls['other-worker'], { class: 'dispatchable' }, "another worker's tasks go on");
  t.match(plan.records.at(-1), { type: 'snapshot', limits: [{ worker: 'command', slug: 'first', kind: 'usage' }] });
  // A clock moved forward does not end the wait (measured on the monotonic clock).
  const jumped = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env: { ...env, TASK_MANAGER_CLOCK_OFFSET_SECONDS: '7200' } });
  t.match(jumped.records.find((x) => x.slug === 'first'), { class: 'limited' }, 'still limited two hours "later"');
  // dispatch says so, and starts only with --force.
  const refused = await runBin('dispatch', ['same-account', '--prompt', 'x'], { cwd: box.repo, env });
  t.equal(refused.code, 3);
  t.match(refused.records[0], { type: 'error', code: 'limited', message: /--force/ });
  const forced = await runBin('dispatch', ['same-account', '--prompt', 'x', '--force'], { cwd: box.repo, env });
  t.equal(forced.code, 0, forced.stderr);
});

t.test('after the reset the heartbeat resumes the same session with the prompt that was cut off', async (t) => {
  const box = sandbox(t);
  const mode = path.join(path.dirname(box.repo), 'claude-mode');
  fs.writeFileSync(mode, 'usage_limit');
  const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_MODE_FILE: mode, FAKE_CLAUDE_RESET_S: '2', TASK_MANAGER_WORKER: 'claude' };
  writeTask(box, 'resume-me', 'status: ready\nprompt: write the parser');
  const first = await runBin('hb-tick', [], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  const limited = await waitFor(() => chainOver(box, 'resume-me'), 'the limited run ended');
  t.match(limited, { state: 'limited', failures: 0, limit: { kind: 'usage' } });
  t.ok(limited.limit.wait_ms <= 3000, 'the reset the agent gave (resetsAt), not our backoff');
  fs.writeFileSync(mode, 'ok');
  const resumed = await waitFor(async () => {
    const tick = await runBin('hb-tick', [], { cwd: box.repo, env });
    return tick.records.find((x) => x.type === 'action' && x.slug === 'resume-me' && x.result === 'started');
  }, 'the heartbeat dispatches it once the limit resets', 30_000);
  t.ok(resumed);
  const done = await waitFor(() => {
    const s = chainOver(box, 'resume-me');
    return s?.state === 'exited' ? s : undefined;
  }, 'the resumed run ended');
  t.equal(done.session_id, limited.session_id, 'the same session');
  const calls = fakeClaudeCalls(env);
  t.equal(calls.length, 2);
  t.equal(calls[1].prompt, 'write the parser', 'the prompt that was cut off');
  t.ok(calls[1].argv.includes('--resume'), 'resumed, not a fresh session');
  t.equal(calls[1].turn, 2, 'the agent saw the earlier turn');
  t.same(done.followups, [], 'nothing left in the queue');
});

t.test('a cost budget holds the task once the runs have spent it; a raised budget lets it go', async (t) => {
  const box = sandbox(t);
  const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_COST: '0.75', TASK_MANAGER_WORKER: 'claude' };
  writeTask(box, 'pricey', 'status: ready\nmax_cost_usd: 1.0\nmax_turns: 7');
  const first = await runBin('dispatch', ['pricey', '--wait'], { cwd: box.repo, env });
  t.equal(first.code, 0, first.stderr);
  t.match(statusOf(box, 'pricey'), { cost_usd: 0.75, cost_total_usd: 0.75 });
  t.notOk(statusOf(box, 'pricey').held, 'under budget');
  const calls = fakeClaudeCalls(env);
  t.match(calls[0].argv.join(' '), /--max-turns 7 --max-budget-usd 1\.00/, 'claude is told the turns and the money left');
  const second = await runBin('dispatch', ['pricey', '--prompt', 'more', '--wait'], { cwd: box.repo, env });
  t.equal(second.code, 0, second.stderr);
  t.match(fakeClaudeCalls(env)[1].argv.join(' '), /--max-budget-usd 0\.25/, 'only what is left');
  const held = statusOf(box, 'pricey');
  t.match(held, { cost_total_usd: 1.5, held: { by: 'supervisor', reason: 'budget' } });
  const plan = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  t.match(plan.records.find((x) => x.slug === 'pricey'), { class: 'held', reason: /cost budget is spent/ });
  writeTask(box, 'pricey', 'status: ready\nmax_cost_usd: 5');
  const raised = await runBin('hb-tick', ['--dry-run'], { cwd: box.repo, env });
  t.match(raised.records.find((x) => x.slug === 'pricey'), { class: 'done' }, 'a raised budget lifts the budget hold (the last run ended ok: done)');
});
