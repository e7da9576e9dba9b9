// A prompt is private: the agents read it on stdin, so it is not on any command line
// that `ps` shows every user. The command worker places {prompt} where the user put it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { chainOver, fakeClaudeCalls, fakeClaudeEnv, runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
const everyCommandLine = () => execFileSync('ps', ['-eww', '-o', 'args='], { encoding: 'utf8' });

for (const worker of ['claude', 'demo'] as const) {
  t.test(`${worker}: the prompt reaches the agent on stdin and is on no command line`, async (t) => {
    const box = sandbox(t);
    const secret = `the secret plan ${worker} ${process.pid}`;
    const promptFile = path.join(path.dirname(box.repo), 'prompt.txt');
    fs.writeFileSync(promptFile, `${secret}\nwith a second line`);
    const env = { ...box.env, ...fakeClaudeEnv(box), FAKE_CLAUDE_MODE: 'hang', TASK_MANAGER_DEMO_DELAY_MS: '60000' };
    // --prompt-file: not even dispatch's own argv holds it.
    const d = await runBin('dispatch', ['vis', '--prompt-file', promptFile, '--worker', worker], { cwd: box.repo, env });
    t.equal(d.code, 0, d.stderr);
    const s = await waitFor(() => statusOf(box, 'vis')?.worker && statusOf(box, 'vis'), 'the worker running');
    t.notMatch(cmdline(s.worker.pid), /secret plan/, "not in the worker's command line");
    t.notMatch(cmdline(s.owner.pid), /secret plan/, "not in the supervisor's");
    t.notMatch(everyCommandLine(), /secret plan/, 'not in any command line ps shows');
    if (worker === 'claude') {
      await waitFor(() => fakeClaudeCalls(env).length === 1, 'the fake claude started');
      t.equal(fakeClaudeCalls(env)[0]?.prompt, `${secret}\nwith a second line`, 'the agent read the whole prompt on its stdin');
    }
    t.same(fs.readdirSync(box.stateDir).filter((n) => n.startsWith('.stdin-')), [], 'the stdin file has no name left');
    process.kill(s.owner.pid, 'SIGTERM');
    await waitFor(() => chainOver(box, 'vis'), 'chain over');
  });
}

t.test('{prompt} placement: the help puts it after --, where a prompt that looks like an option stays an operand', async (t) => {
  const box = sandbox(t);
  const help = await runBin('dispatch', ['--help'], { cwd: box.repo, env: box.env });
  t.match(help.stdout, /--worker-cmd "[^"]* -- \{prompt\}"/, 'the example puts {prompt} after --');
  t.notMatch(help.stdout, /--worker-cmd "[^"]*[^-] \{prompt\}"/, 'no example puts it where an option could be');
});
