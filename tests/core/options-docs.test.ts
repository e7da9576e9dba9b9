// One table of options per bin: --help, the flag parser and the docs are made from it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { flagSpecOf, formatOptions } from '@task-manager/core/cli/option-table';
import { parseFlags } from '@task-manager/core/cli/flags';
import { nodeArgv, ROOT } from '../fixtures/e2e.js';

const BINS = ['dispatch', 'dispatch-continue', 'dispatch-watch', 'worker-reap', 'hb-tick', 'dispatch-stop'];

t.test('the docs carry each bin\'s options exactly as its table makes them', async (t) => {
  const out = execFileSync(...nodeArgv(path.join(ROOT, 'scripts', 'options-docs.mjs'), ['--check']), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.equal(out, '', 'no page is stale (pnpm exec just docs rewrites them)');
});

for (const bin of BINS) {
  t.test(`${bin}: --help lists every option of the table, and the parser takes every flag in it`, async (t) => {
    const { OPTIONS } = await import(path.join(ROOT, 'tools', bin, 'dist', 'options.js'));
    const help = execFileSync(...nodeArgv(path.join(ROOT, 'tools', bin, 'dist', 'bin.js'), ['--help']), { encoding: 'utf8' });
    t.ok(help.includes(formatOptions(OPTIONS)), 'the Options section is the table');
    const spec = flagSpecOf(OPTIONS);
    for (const name of spec.string ?? []) t.doesNotThrow(() => parseFlags([`--${name}`, 'x'], spec), `--${name} is declared`);
    for (const name of spec.boolean ?? []) t.doesNotThrow(() => parseFlags([`--${name}`], spec), `--${name} is declared`);
    const labels = OPTIONS.map((o: { label: string }) => o.label).join(' ');
    for (const name of [...(spec.string ?? []), ...(spec.boolean ?? [])]) t.match(labels, new RegExp(`--${name}\\b`), `--${name} is documented`);
  });
}
