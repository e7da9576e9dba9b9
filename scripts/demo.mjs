#!/usr/bin/env node
// The whole flow on a throwaway repository, with the built-in demo agent:
// tasks with priorities and a dependency → heartbeat ticks dispatch them → a follow-up
// is queued to one → watch until done → stop, hold and release one → the pretty log →
// an event hook firing → the branches, commits and history.
// Usage: node scripts/demo.mjs [--keep]   (pnpm exec just demo)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'task-manager-demo-'));
const repo = path.join(base, 'repo');
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'demo',
  GIT_AUTHOR_EMAIL: 'demo@task-manager.invalid',
  GIT_COMMITTER_NAME: 'demo',
  GIT_COMMITTER_EMAIL: 'demo@task-manager.invalid',
  TASK_MANAGER_WORKER: 'demo',
  TASK_MANAGER_DEMO_DELAY_MS: process.env.TASK_MANAGER_DEMO_DELAY_MS ?? '250',
  NO_COLOR: '1',
};
// The operator's hook: every event of the demo lands in events.ndjson (shown at the end).
const events = path.join(base, 'events.ndjson');
env.TASK_MANAGER_ON_EVENT = `sh -c 'cat >> ${events}' --`;
for (const name of ['TASK_MANAGER_STATE_DIR', 'TASK_MANAGER_TASKS_DIR', 'TASK_MANAGER_WORKTREES_DIR', 'TASK_MANAGER_WORKER_CMD']) delete env[name];

const say = (text) => process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`.replace(/\x1b\[[0-9;]*m/g, process.stdout.isTTY ? '$&' : ''));
const show = (cmd, args) => {
  process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: repo, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  return r;
};
const tool = (name, args) => show('node', [path.join(root, 'tools', name, 'dist', 'bin.js'), ...args]);

const task = (slug, front, body) => {
  const yaml = Object.entries(front)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`)
    .join('\n');
  fs.writeFileSync(path.join(repo, 'tasks', `${slug}.md`), `---\n${yaml}\n---\n\n${body}\n`);
};

try {
  say(`A throwaway repository in ${repo}`);
  fs.mkdirSync(path.join(repo, 'tasks'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  fs.writeFileSync(path.join(repo, 'README.md'), '# demo project\n');
  task('add-readme-badge', { status: 'ready', priority: 'p2', title: 'Add a build badge to the README' }, 'Add a badge.');
  task('fix-login-redirect', { status: 'ready', priority: 'p0', title: 'Fix the login redirect' }, 'Users land on /undefined after login.');
  task('write-release-notes', { status: 'ready', priority: 'p1', title: 'Write the release notes', depends_on: ['fix-login-redirect'] }, 'Summarise the fix.');
  task('someday-refactor', { status: 'blocked', priority: 'p3', title: 'A refactor nobody asked for' }, 'Not now.');
  execFileSync('git', ['add', '.'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '-m', 'demo tasks'], { cwd: repo, env });
  show('ls', ['tasks']);

  say('One heartbeat tick: classify the queue, dispatch at most 2 (p0 first; the dependent task waits)');
  tool('hb-tick', ['--max-dispatches-per-cycle', '2', '--json']);

  say('Queue a follow-up for the running p0 task: it resumes the same agent session after the current run');
  tool('dispatch-continue', ['fix-login-redirect', '--prompt', 'Also add a regression test for the redirect.', '--json']);

  say('Watch until both dispatches are done');
  tool('dispatch-watch', ['--until-done', '--json']);

  say('Next tick: the dependency is done, so the release notes are dispatched; then watch again');
  tool('hb-tick', ['--max-dispatches-per-cycle', '2', '--json']);
  tool('dispatch-watch', ['--until-done', '--json']);

  say('Stop and hold: the heartbeat leaves a held task alone until it is released');
  task('try-new-parser', { status: 'ready', priority: 'p2', title: 'Try the new parser' }, 'Spike it.');
  tool('dispatch', ['try-new-parser', '--prompt', 'Spike the new parser.', '--json']);
  tool('dispatch-stop', ['try-new-parser', '--reason', 'not this week', '--json']);
  tool('hb-tick', ['--dry-run', '--json']);
  tool('dispatch-stop', ['--release', 'try-new-parser', '--json']);

  say('What the agent did, as text (the log rendered from its stream; --pretty is the default on a terminal)');
  tool('dispatch-watch', ['--log', 'fix-login-redirect', '--pretty', '--run', 'all']);

  say('A last tick: the released task runs again; everything else is done or not ready');
  tool('hb-tick', ['--json']);
  tool('dispatch-watch', ['--until-done', '--json']);

  say(`The event hook heard (TASK_MANAGER_ON_EVENT: one NDJSON line per event on its stdin)`);
  for (const e of fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l))) {
    process.stdout.write(`${e.event.padEnd(17)} ${e.slug.padEnd(22)} ${e.outcome ?? e.followup_id ?? ''}\n`);
  }

  say('One branch per task, each with the demo agent\'s commits');
  show('git', ['branch', '--list', 'task/*', '-v']);
  show('git', ['log', '--oneline', 'task/fix-login-redirect', '-n', '4']);

  say('The history of fix-login-redirect: every prompt and run, append-only');
  const history = fs.readFileSync(path.join(repo, 'tasks', 'logs', 'dispatch-fix-login-redirect.history.jsonl'), 'utf8');
  for (const line of history.trim().split('\n')) {
    const e = JSON.parse(line);
    const detail = e.prompt ? JSON.stringify(e.prompt.slice(0, 60)) : e.outcome ? `${e.outcome} in ${e.duration_ms} ms` : e.session_id ?? '';
    process.stdout.write(`${e.ts}  ${e.event.padEnd(18)} ${e.run_id ?? ''} ${detail}\n`);
  }
  say(keep ? `Kept ${base}` : 'Done (the throwaway repository is removed; pass --keep to keep it)');
} finally {
  if (!keep) fs.rmSync(base, { recursive: true, force: true });
}
