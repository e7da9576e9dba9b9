/**
 * A small stand-in agent so the whole flow can be seen with no agent installed:
 * `node demo-agent.js (--session-id ID | --resume ID) [-- PROMPT]`, the prompt on stdin
 * when not given after `--` (as `claude -p` takes it). It prints Claude-style
 * stream-json over a few seconds (TASK_MANAGER_DEMO_DELAY_MS per event, default 700),
 * commits a note in its worktree, and keeps a transcript per session (in the worktree's
 * git dir, so nothing shows in `git status`) so that a resume continues the count.
 * SIGINT ends the turn with an aborted result (exit 0), SIGTERM exits 143 — as Claude does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const options = dash >= 0 ? args.slice(0, dash) : args;
const flag = (name: string) => {
  const i = options.indexOf(name);
  return i >= 0 ? options[i + 1] : undefined;
};
const readStdin = (): string => {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
};
const prompt = dash >= 0 ? args.slice(dash + 1).join(' ') : readStdin();
const resume = flag('--resume');
const sessionId = resume ?? flag('--session-id') ?? 'no-session';
const delay = Number(process.env.TASK_MANAGER_DEMO_DELAY_MS ?? 700);
const emit = (event: object) => process.stdout.write(`${JSON.stringify({ ...event, session_id: sessionId })}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const git = (...a: string[]) =>
  execFileSync('git', ['-c', 'user.name=task-manager-demo', '-c', 'user.email=demo@task-manager.invalid', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

const transcriptDir = path.resolve(git('rev-parse', '--git-dir'), 'task-manager-demo');
const transcript = path.join(transcriptDir, `${sessionId}.jsonl`);

let aborted = false;
process.on('SIGINT', () => (aborted = true));
process.on('SIGTERM', () => process.exit(143));

const main = async () => {
  if (resume && !fs.existsSync(transcript)) {
    const message = `No conversation found with session ID: ${resume}`;
    emit({ type: 'result', subtype: 'error_during_execution', is_error: true, errors: [message], total_cost_usd: 0 });
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const turn = (fs.existsSync(transcript) ? fs.readFileSync(transcript, 'utf8').trim().split('\n').length : 0) + 1;
  fs.mkdirSync(transcriptDir, { recursive: true });
  fs.appendFileSync(transcript, `${JSON.stringify({ turn, prompt })}\n`);
  emit({ type: 'system', subtype: 'init', cwd: process.cwd(), model: 'demo' });
  const steps = ['Reading the task.', 'Making the change.', 'Committing.'];
  for (const step of steps) {
    await sleep(delay);
    if (aborted) break;
    emit({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: step }] } });
  }
  if (aborted) {
    emit({ type: 'result', subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming', result: '', total_cost_usd: 0 });
    process.exit(0);
  }
  fs.appendFileSync('DEMO_NOTES.md', `- turn ${turn} of session ${sessionId}: ${prompt.split('\n')[0]?.slice(0, 100)}\n`);
  git('add', 'DEMO_NOTES.md');
  git('commit', '-q', '-m', `demo: turn ${turn} of session ${sessionId}`);
  emit({ type: 'result', subtype: 'success', is_error: false, terminal_reason: 'completed', result: `Done: turn ${turn} of session ${sessionId}.`, total_cost_usd: 0, num_turns: turn });
};

main().catch((error) => {
  process.stderr.write(`demo agent: ${(error as Error).message}\n`);
  process.exit(1);
});
