#!/usr/bin/env node
// Writes each bin's options, from its one table (tools/<bin>/src/options.ts, built), into
// its page in docs/ between `<!-- options: BIN -->` and `<!-- /options -->`, so --help and
// the docs say the same. `pnpm exec just docs`; tests/core/options-docs.test.ts checks it.
// Usage: node scripts/options-docs.mjs [--check]   (--check: exit 1 if a page is stale)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PAGES = {
  dispatch: 'docs/dispatch.md',
  'dispatch-continue': 'docs/continue.md',
  'dispatch-watch': 'docs/watch-and-reap.md',
  'worker-reap': 'docs/watch-and-reap.md',
  'hb-tick': 'docs/hb-tick.md',
  'dispatch-stop': 'docs/stop.md',
};

const { formatOptions } = await import(path.join(root, 'shared/core/dist/cli/option-table.js'));
const block = async (bin) => {
  const { OPTIONS } = await import(path.join(root, 'tools', bin, 'dist', 'options.js'));
  return `<!-- options: ${bin} -->\n\`\`\`\n${formatOptions(OPTIONS)}\n\`\`\`\n<!-- /options -->`;
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [bin, page] of Object.entries(PAGES)) {
  const file = path.join(root, page);
  const text = fs.readFileSync(file, 'utf8');
  const marker = new RegExp(`<!-- options: ${bin} -->[\\s\\S]*?<!-- /options -->`);
  if (!marker.test(text)) throw new Error(`${page} has no <!-- options: ${bin} --> block`);
  const next = text.replace(marker, await block(bin));
  if (next === text) continue;
  stale += 1;
  if (check) process.stderr.write(`${page}: the options of ${bin} differ from its table; run pnpm exec just docs\n`);
  else fs.writeFileSync(file, next);
}
if (check && stale) process.exitCode = 1;
