// A new user's way in: the bins on PATH for any repository, and the recipes run from it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseRecords, ROOT, sandbox, withoutTapHooks } from '../fixtures/e2e.js';

const just = path.join(ROOT, 'node_modules', '.bin', 'just');

t.test('just install-bins DIR links the bins; they work in a repository outside the checkout', async (t) => {
  const box = sandbox(t);
  const bin = path.join(path.dirname(box.repo), 'bin');
  // --no-deps: the suite runs on a build already made; rebuilding here would race the other tests.
  const out = execFileSync(...withoutTapHooks(just, ['--no-deps', '-f', path.join(ROOT, 'justfile'), 'install-bins', bin]), { cwd: box.repo, env: box.env, encoding: 'utf8' });
  t.match(out, /installed into .*dispatch-stop/);
  for (const name of ['dispatch', 'dispatch-watch', 'dispatch-continue', 'dispatch-stop', 'hb-tick', 'worker-reap']) {
    t.ok(fs.lstatSync(path.join(bin, name)).isSymbolicLink(), `${name} linked`);
  }
  const env = { ...box.env, PATH: `${bin}:${box.env.PATH}` };
  const sh = (cmd: string) => execFileSync(...withoutTapHooks('sh', ['-c', cmd]), { cwd: box.repo, env, encoding: 'utf8' });
  const started = parseRecords(sh('dispatch hello --worker demo --prompt "say hi" --wait --json'));
  t.match(started.at(-1), { type: 'dispatch', result: 'ended', outcome: 'ok' });
  t.ok(fs.existsSync(path.join(box.repo, 'tasks', 'logs', 'dispatch-hello.status.json')), "the state is in that repository's tasks/logs");
  t.match(parseRecords(sh('dispatch-watch --json'))[0], { slug: 'hello', dispatch_state: 'exited' });
  // The recipes, from the managed repository, print only what the tool prints.
  const tick = execFileSync(...withoutTapHooks(just, ['-f', path.join(ROOT, 'justfile'), 'tick', '--dry-run', '--json']), { cwd: box.repo, env, encoding: 'utf8' });
  t.match(parseRecords(tick).at(-1), { type: 'snapshot', dry_run: true });
  t.notMatch(tick, /scripts\/task-manager/, 'the recipe does not echo its command');
});
