// Generated fixtures: a temp repository, status files, task files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GIT_ENV = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@task-manager.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@task-manager.invalid' };

export const tempRepo = () => {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-bench-')));
  const repo = path.join(base, 'repo');
  fs.mkdirSync(repo);
  const env = { ...process.env, ...GIT_ENV, TASK_MANAGER_STALL_SECONDS: '0' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'bench'], { cwd: repo, env });
  return { base, repo, env, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
};

export const status = (slug, i) => ({
  type: 'status', version: 1, slug, state: i % 3 === 0 ? 'failed' : 'exited', fence: 1, run_id: `r-${i}`, attempt: 1, failures: i % 3 === 0 ? 1 : 0,
  token: 'x'.repeat(32), owner: { boot_id: 'old-boot', pid: 1000 + i, start_time: '1' }, worker: { boot_id: 'old-boot', pid: 2000 + i, start_time: '2' },
  spec: { worker: 'claude', worker_cmd: null, repo: '/r', worktree: `/r/.worktrees/${slug}`, branch: `task/${slug}`, stall_ms: 900000, max_run_ms: 7200000, grace_ms: 10000 },
  prompt: 'Fix the thing and run the tests. '.repeat(10), session_id: '9f0493b3-0a83-4e71-b3e6-542b3edcac14',
  created_at: '2026-11-24T20:00:00.000Z', updated_at: '2026-11-24T21:00:00.000Z', started_at: '2026-11-24T20:00:01.000Z', ended_at: '2026-11-24T21:00:00.000Z',
  ended_mono: null, last_output_at: '2026-11-24T20:59:00.000Z', exit_code: i % 3 === 0 ? 1 : 0, signal: null, outcome: i % 3 === 0 ? 'error' : 'ok',
  reason: i % 3 === 0 ? 'exit code 1' : null, cost_usd: 0.01, followups: [], followup_id: null, interrupt_requested: null,
});

export const writeStatuses = (dir, count) => {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const slug = `task-${String(i).padStart(5, '0')}`;
    fs.writeFileSync(path.join(dir, `dispatch-${slug}.status.json`), `${JSON.stringify(status(slug, i))}\n`);
  }
};

export const writeTasks = (dir, count) => {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const front = `status: ${i % 4 === 0 ? 'blocked' : 'ready'}\npriority: p${i % 4}\ntitle: Task number ${i}\n${i % 10 === 5 ? `depends_on: [task-${String(i - 1).padStart(5, '0')}]\n` : ''}`;
    fs.writeFileSync(path.join(dir, `task-${String(i).padStart(5, '0')}.md`), `---\n${front}---\n\nDo task ${i}: change the code and run the tests.\n`);
  }
};
