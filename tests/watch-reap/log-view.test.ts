// dispatch-watch --log and --history as a person and a program read them: real
// dispatches of the demo agent (Claude's stream-json), real logs, script(1) for a terminal.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runHeader } from '@task-manager/core/watch/log-header';
import { binPath, nodeCommand, chainOver, historyOf, runBin, sandbox, startBin, waitFor } from '../fixtures/e2e.js';
import { runTool } from '../fixtures/in-process.js';
import { putStatus, runStatus } from '../fixtures/watch-reap-util.js';

const j = (o: object) => JSON.stringify(o);
const ESC = '\x1b';

/** The bin on a pseudo-terminal (script(1)); its screen, carriage returns removed. */
const onTty = (cwd: string, env: Record<string, string>, args: string) =>
  new Promise<string>((resolve) => {
    const child = spawn('script', ['-qc', `${nodeCommand(binPath('dispatch-watch'))} ${args}`, '/dev/null'], { cwd, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out.replace(/\r/g, '')));
  });

t.test('a demo task with a follow-up: each header names its prompt; the current run by default, --run, --tail, rendered text, history', async (t) => {
  const box = sandbox(t, { TASK_MANAGER_DEMO_DELAY_MS: '10' });
  const opts = { cwd: box.repo, env: box.env };
  const d = await runBin('dispatch', ['d1', '--prompt', 'Fix the login redirect\nin auth.ts', '--worker', 'demo', '--wait'], opts);
  t.equal(d.code, 0, d.stderr);
  await waitFor(() => chainOver(box, 'd1'), 'the first chain to end');
  const c = await runBin('dispatch-continue', ['d1', '--prompt', 'Add a "quoted" test'], opts);
  t.equal(c.code, 0, c.stderr);
  await waitFor(() => historyOf(box, 'd1').filter((r) => r.event === 'run_ended').length === 2 && chainOver(box, 'd1'), 'the follow-up run to end');
  const history = historyOf(box, 'd1');
  const runs = history.filter((r) => r.event === 'run_started').map((r) => r.run_id as string);
  const followupId = history.find((r) => r.event === 'followup_queued')?.followup_id;
  t.ok(followupId, 'the follow-up was queued');

  const log = fs.readFileSync(path.join(box.stateDir, 'dispatch-d1.log'), 'utf8');
  t.match(log, new RegExp(`^=== task-manager: run ${runs[0]} of d1 \\(attempt 1, worker demo\\) at \\S+; prompt "Fix the login redirect …" ===$`, 'm'), 'the first header: the prompt\'s first line');
  t.match(log, new RegExp(`^=== task-manager: run ${runs[1]} of d1 \\(attempt 2, worker demo\\) at \\S+; follow-up ${followupId}: "Add a \\\\"quoted\\\\" test" ===$`, 'm'), 'the follow-up\'s header: its id and prompt');

  // --pretty: Claude's stream as text; by default only the current (last) run.
  const pretty = await runBin('dispatch-watch', ['--log', 'd1', '--pretty'], opts);
  t.equal(pretty.code, 0, pretty.stderr);
  const lines = pretty.stdout.trimEnd().split('\n');
  t.match(lines[0], new RegExp(`^=== task-manager: run ${runs[1]} `), 'starts at the current run\'s header');
  t.same(lines.slice(1), [
    lines[1],
    'Reading the task.',
    'Making the change.',
    'Committing.',
    '✓ done 2 turns, $0.0000',
  ]);
  t.match(lines[1], /^· session \S+, model demo$/);
  t.notMatch(pretty.stdout, /"type":/, 'no raw event JSON');
  t.notMatch(pretty.stdout, new RegExp(runs[0] as string), 'not the earlier run');

  const all = await runBin('dispatch-watch', ['--log', 'd1', '--run', 'all', '--pretty'], opts);
  t.equal(all.stdout.match(/^=== task-manager: run /gm)?.length, 2, '--run all: both runs');

  // Piped: the raw line as `text`, the rendered one beside it; --run RUN_ID is that run alone.
  const first = await runBin('dispatch-watch', ['--log', 'd1', '--run', runs[0] as string], opts);
  t.equal(first.code, 0, first.stderr);
  t.match(first.records[0], { type: 'log', slug: 'd1', text: new RegExp(`^=== task-manager: run ${runs[0]} `) });
  t.equal(first.records[0]?.rendered, first.records[0]?.text, 'the header passes through');
  t.match(first.records.find((r) => r.rendered === 'Reading the task.'), { text: /^\{"type":"assistant"/ });
  // The blank line the supervisor puts between runs is the last of the first run's part.
  t.match(first.records.filter((r) => r.text !== '').at(-1), { text: /^\{"type":"result"/, rendered: '✓ done 1 turn, $0.0000' });
  t.notOk(first.records.some((r) => r.text.includes(runs[1] as string)), 'it ends where the next run begins');
  t.equal(first.records.find((r) => r.text.startsWith('{"type":"system"'))?.rendered.startsWith('· session'), true);

  const tail = await runBin('dispatch-watch', ['--log', 'd1', '--tail', '2'], opts);
  t.same(tail.records.map((r) => r.rendered), ['Committing.', '✓ done 2 turns, $0.0000'], '--tail 2: the last two lines of the current run');
  const none = await runBin('dispatch-watch', ['--log', 'd1', '--run', 'r-nope'], opts);
  t.equal(none.code, 4);
  t.match(none.records, [{ type: 'error', code: 'run_not_found', run_id: 'r-nope' }]);

  // --history: the records as they are when piped; a table for a person.
  const piped = await runBin('dispatch-watch', ['--history', 'd1'], opts);
  t.equal(piped.code, 0, piped.stderr);
  t.same(piped.records, historyOf(box, 'd1'), 'every history record, unchanged');
  const table = await runBin('dispatch-watch', ['--history', 'd1', '--pretty'], opts);
  t.match(table.stdout, /^TIME\s+EVENT\s+RUN\s+PROMPT\s+OUTCOME\s+COST$/m);
  t.match(table.stdout, new RegExp(`^\\S+ \\S+\\s+run_started\\s+${runs[1]}\\s+Add a "quoted" test\\s+-\\s+-$`, 'm'), 'a run shows the prompt it carried');
  t.match(table.stdout, new RegExp(`^\\S+ \\S+\\s+run_ended\\s+${runs[0]}\\s+-\\s+ok\\s+\\$0\\.0000$`, 'm'));
  t.match(table.stdout, /^\S+ \S+\s+dispatch_requested\s+-\s+Fix the login redirect\s/m, 'the first line of a prompt');
});

t.test('on a terminal: rendered, and no control sequence from the agent or a prompt reaches the screen', async (t) => {
  const box = sandbox(t);
  putStatus(box.stateDir, runStatus('tty', { state: 'exited', outcome: 'ok', exit_code: 0, run_id: 'r-2' }));
  const header = (runId: string, prompt: string) => runHeader({ runId, slug: 'tty', attempt: 1, worker: 'claude', at: '2026-01-01T00:00:00.000Z', followupId: null, prompt });
  fs.writeFileSync(
    path.join(box.stateDir, 'dispatch-tty.log'),
    [
      header('r-1', 'earlier'),
      'earlier output',
      header('r-2', `retitle ${ESC}]0;pwned${'\x07'} me`),
      j({ type: 'assistant', message: { content: [{ type: 'text', text: `I will ${ESC}[2Jclear nothing.` }] } }),
      j({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'npm test' } }] } }),
      'npm ERR! plain stderr text',
      j({ type: 'result', subtype: 'success', is_error: false, duration_ms: 12_300, num_turns: 4, total_cost_usd: 0.5 }),
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(box.stateDir, 'dispatch-tty.history.jsonl'),
    `${j({ type: 'history', ts: '2026-01-01T00:00:00.000Z', event: 'dispatch_requested', slug: 'tty', prompt: `evil ${ESC}]0;title${'\x07'}prompt` })}\n`,
  );
  const env = { ...box.env, NO_COLOR: '1' };
  const screen = await onTty(box.repo, env, '--log tty');
  t.same(screen.trimEnd().split('\n'), [
    '=== task-manager: run r-2 of tty (attempt 1, worker claude) at 2026-01-01T00:00:00.000Z; prompt "retitle \\u001b]0;pwned\\u0007 me" ===',
    'I will clear nothing.',
    '▸ Bash: npm test',
    'npm ERR! plain stderr text',
    '✓ done in 12.3 s, 4 turns, $0.5000',
  ]);
  t.notMatch(screen, /\x1b/, 'no escape sequence on the screen');
  const history = await onTty(box.repo, env, '--history tty');
  t.match(history, /dispatch_requested\s+-\s+evil prompt/);
  t.notMatch(history, /\x1b|\x07/);
  const json = await onTty(box.repo, env, '--log tty --json');
  t.match(JSON.parse(json.trim().split('\n')[1] as string), { type: 'log', text: /\\u001b\[2J|\x1b\[2J/, rendered: `I will ${ESC}[2Jclear nothing.` }, '--json keeps the data as it was');
});

t.test('following: --tail then what is appended; a run followed by id ends at the next run; truncation and over-long lines', async (t) => {
  const box = sandbox(t);
  putStatus(box.stateDir, runStatus('f', { state: 'exited', outcome: 'ok', exit_code: 0, run_id: 'r-1' }));
  const log = path.join(box.stateDir, 'dispatch-f.log');
  const header = (runId: string) => runHeader({ runId, slug: 'f', attempt: 1, worker: 'command', at: '2026-01-01T00:00:00.000Z', followupId: null, prompt: 'p' });
  fs.writeFileSync(log, `${header('r-1')}\none\ntwo\nthree\n`);
  const opts = { cwd: box.repo, env: box.env };

  const tail = startBin('dispatch-watch', ['--log', 'f', '--tail', '1', '--follow'], opts);
  t.teardown(() => tail.child.kill('SIGKILL'));
  await waitFor(() => tail.lines.length === 1, 'the last line');
  t.same(tail.lines.map((r) => r.text), ['three'], '--tail 1: the last line only');
  fs.appendFileSync(log, 'four\n');
  await waitFor(() => tail.lines.some((r) => r.text === 'four'), 'the appended line');
  // Truncated under the reader: it starts over from the beginning.
  fs.writeFileSync(log, `${header('r-1')}\nafresh\n`);
  await waitFor(() => tail.lines.some((r) => r.text === 'afresh'), 'the line written after a truncation');
  // A line over the 1 MiB cap arrives cut, and the next line after it.
  fs.appendFileSync(log, `${'x'.repeat(1024 * 1024 + 5000)}\nafter the long one\n`);
  await waitFor(() => tail.lines.some((r) => r.text === 'after the long one'), 'the line after the long one');
  t.equal(tail.lines.find((r) => r.text.startsWith('xxx'))?.text.length, 1024 * 1024, 'cut at 1 MiB');
  tail.child.kill('SIGTERM');
  t.equal(await tail.exited, 0);

  const one = startBin('dispatch-watch', ['--log', 'f', '--run', 'r-1', '--follow'], opts);
  t.teardown(() => one.child.kill('SIGKILL'));
  await waitFor(() => one.lines.some((r) => r.text === 'after the long one'), 'the run so far');
  fs.appendFileSync(log, `still r-1\n\n${header('r-2')}\nnot r-1\n`);
  t.equal(await one.exited, 0, 'the run is over once the next one begins: the follow ends');
  t.ok(one.lines.some((r) => r.text === 'still r-1'));
  t.notOk(one.lines.some((r) => r.text === 'not r-1' || r.text.includes('r-2')), 'nothing of the next run');
});

t.test('options that conflict are usage errors (exit 2)', async (t) => {
  const box = sandbox(t);
  putStatus(box.stateDir, runStatus('u'));
  fs.writeFileSync(path.join(box.stateDir, 'dispatch-u.log'), 'x\n');
  const cases: [string[], RegExp][] = [
    [['--history', 'u', '--log', 'u'], /--history .*--log cannot go with it/],
    [['--history', 'u', '--follow'], /--follow cannot go with it/],
    [['--history', 'u', 'other'], /--history takes one slug/],
    [['--tail', '3'], /--tail goes with --log/],
    [['u', '--run', 'all'], /--run goes with --log/],
    [['--pretty'], /--pretty goes with --log/],
    [['--log', 'u', '--pretty', '--json'], /--pretty is text .* --json/],
    [['--log', 'u', '--tail', '-1'], /--tail must be a whole number/],
    [['--log', 'u', '--tail', '1.5'], /--tail must be a whole number/],
    [['--log', 'u', '--run', '../x'], /--run takes current, all or a run id/],
    [['--log', 'u', '--state', 'running'], /--state would be ignored/],
  ];
  // In this process: a usage error needs no process of its own.
  for (const [args, message] of cases) {
    const r = await runTool('dispatch-watch', args, { cwd: box.repo, env: box.env });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.match(r.records, [{ type: 'error', code: 'usage' }], 'and the error record, on a pipe');
  }
  const history = await runTool('dispatch-watch', ['--history', 'u'], { cwd: box.repo, env: box.env });
  t.equal(history.code, 4, 'no history file: bad input');
  t.match(history.records, [{ type: 'error', code: 'history_missing' }]);
});
