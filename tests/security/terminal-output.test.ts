// Escape sequences in what the tools show a person — an agent's error in a status, a
// log line, a bad NDJSON line — never reach the terminal: no title change, no screen
// clear, no hyperlink. The records on a pipe keep the text as it was.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { binPath, nodeCommand, runBin, sandbox } from '../fixtures/e2e.js';
import { putStatus, runStatus } from '../fixtures/watch-reap-util.js';

const HOSTILE = '\x1b]0;pwned title\x07\x1b[2J\x1b[H\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\\x9b31m';

/** Runs a shell command under script(1), so the bins see a terminal; returns the screen bytes. */
const onTty = (command: string, cwd: string, env: Record<string, string>) =>
  new Promise<string>((resolve) => {
    const child = spawn('script', ['-qc', command, '/dev/null'], { cwd, env: { ...env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
const bin = (name: string) => nodeCommand(binPath(name));
// What script(1) itself adds: CR before LF. Anything else from ESC or BEL came from the data.
const escapes = (screen: string) => screen.replace(/\r\n/g, '\n').match(/[\x1b\x07\x9b\x9d]|\r/g) ?? [];

t.test('the watch table, the log on a terminal, worker-reap and hb-tick lines carry no escape sequence', async (t) => {
  const box = sandbox(t);
  putStatus(box.stateDir, runStatus('esc', { state: 'failed', outcome: 'error', exit_code: 1, reason: `API Error: ${HOSTILE} bad` }));
  fs.writeFileSync(path.join(box.stateDir, 'dispatch-esc.log'), `agent says ${HOSTILE}\tdone\n`, { mode: 0o600 });

  const table = await onTty(bin('dispatch-watch'), box.repo, box.env);
  t.match(table, /failed\s+esc\s.*API Error: .*click.* bad/, 'the text around the sequences is shown');
  t.same(escapes(table), [], 'dispatch-watch table: no ESC, BEL, CSI or CR from the data');
  const log = await onTty(`${bin('dispatch-watch')} --log esc`, box.repo, box.env);
  t.match(log, /agent says .*click.*\tdone/, 'the log line, its tab kept');
  t.same(escapes(log), [], 'dispatch-watch --log on a terminal: none either');
  const reap = await onTty(`printf '${'not json \\033]0;pwned\\007 \\033[2J'}\\n' | ${bin('worker-reap')} -`, box.repo, box.env);
  t.match(reap, /not valid JSON: not json/);
  t.same(escapes(reap), [], 'worker-reap line and stderr');
  const tick = await onTty(`printf '${'{"slug":"t1","status":"ready","title":1}\\nnot json \\033]0;pwned\\007\\n'}' | ${bin('hb-tick')} - --dry-run`, box.repo, box.env);
  t.match(tick, /not valid JSON: not json/);
  t.same(escapes(tick), [], 'hb-tick lines and stderr');

  // On a pipe the record keeps the data: JSON escapes it, and a reader gets it back whole.
  const piped = await runBin('dispatch-watch', ['esc'], { cwd: box.repo, env: box.env });
  t.equal(piped.records[0].reason, `API Error: ${HOSTILE} bad`);
  t.notMatch(piped.stdout, /\x1b/, 'NDJSON carries \\u001b, never a raw ESC');
});
