import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runBin, sandbox, statusOf, waitFor } from '../fixtures/e2e.js';

// The supervisor on the file store starts without NODE_EXTRA_CA_CERTS (node would parse
// the whole bundle at its start-up for no TLS connection: supervisor/extra-ca-certs.ts),
// and what it starts still gets the variable as the user set it.
t.test('the worker sees NODE_EXTRA_CA_CERTS as given; the file-store supervisor started without it', async (t) => {
  const box = sandbox(t);
  const seen = path.join(box.repo, '..', 'worker-env.txt');
  // An empty bundle: node loads it without a warning.
  const certs = path.join(box.repo, '..', 'extra cas.pem');
  fs.writeFileSync(certs, '');
  const worker = `sh -c 'printf "%s|%s" "$NODE_EXTRA_CA_CERTS" "$TASK_MANAGER_HELD_NODE_EXTRA_CA_CERTS" > "$0"; sleep 30' ${JSON.stringify(seen)}`;
  const r = await runBin('dispatch', ['certs', '--prompt', 'x', '--worker-cmd', worker], { cwd: box.repo, env: { ...box.env, NODE_EXTRA_CA_CERTS: certs } });
  t.equal(r.code, 0, r.stderr);
  t.equal(await waitFor(() => fs.existsSync(seen) && fs.readFileSync(seen, 'utf8'), 'the worker wrote its environment'), `${certs}|`);
  // What the supervisor process was started with (not what it has since put back).
  const started = fs.readFileSync(`/proc/${statusOf(box, 'certs').owner.pid}/environ`, 'utf8').split('\0');
  const onFiles = box.env.TASK_MANAGER_STORE === 'file';
  t.equal(started.includes(`NODE_EXTRA_CA_CERTS=${certs}`), !onFiles, onFiles ? 'held back on the file store' : 'kept on a networked store');
});
