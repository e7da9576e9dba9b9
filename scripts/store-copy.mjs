#!/usr/bin/env node
// `just store-copy --to URL`: moves a state directory's tasks (statuses with their queues
// of follow-ups, and history) into another store — a team that started on files and now
// shares one PostgreSQL queue. docs/store.md, "Moving a state directory in".
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = (p) => import(path.join(root, 'shared', 'core', 'dist', `${p}.js`));

const HELP = `store-copy --to STORE [--from STORE] [--state-dir DIR] [--dry-run]

Copies every task of one store into another: its status (with its queued follow-ups),
its history, records and fences unchanged. Logs stay in the state directory (they are
local files). A task with a live worker is skipped: stop it or let it end, then copy
again. A task the target already has is skipped, never overwritten. Nothing is removed
from the source: check the copy (dispatch-watch --store STORE), then point the tools at
it (TASK_MANAGER_STORE) and move the old state directory away.

  --to STORE       where to: a postgres:// URL (or file, with --state-dir)
  --from STORE     where from (default: file, the state directory)
  --state-dir DIR  the state directory (env TASK_MANAGER_STATE_DIR; default <repo>/tasks/logs)
  --dry-run        say what would be copied; write nothing
  -h, --help       this text

One NDJSON record per task ({"type":"copy","slug":…,"result":"copied"|"would_copy"|"skipped",…}).
Exit: 0 all copied or skipped for a reason given; 2 usage; 4 a task could not be read; 1 a store failed.
`;

const { parseFlags } = await core('cli/flags');
const { resolveConfig } = await core('config/resolve-config');
const { openStore } = await core('store/open-store');
const { copyStore } = await core('store/copy-store');
const { errorRecord } = await core('ndjson/error-record');
const { exitCodeOf } = await core('errors/errors');

let code = 0;
try {
  const { flags } = parseFlags(process.argv.slice(2), { string: ['to', 'from', 'state-dir', 'repo'], boolean: ['dry-run'] });
  if (flags.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (typeof flags.to !== 'string' || flags.to === '') {
    process.stderr.write('store-copy: --to STORE is needed (see store-copy --help)\n');
    process.exit(2);
  }
  const config = resolveConfig(flags, process.env, process.cwd());
  const from = await openStore(typeof flags.from === 'string' ? flags.from : 'file', config.stateDir);
  const to = await openStore(flags.to, config.stateDir);
  try {
    if (from.describe === to.describe) throw Object.assign(new Error(`--from and --to are the same store (${to.describe})`), { usage: true });
    for await (const item of copyStore(from, to, { dryRun: Boolean(flags['dry-run']) })) {
      if (item.type === 'failure') {
        const record = errorRecord(item.error, { slug: item.slug });
        process.stderr.write(`store-copy: ${item.slug}: ${record.message}\n`);
        process.stdout.write(`${JSON.stringify(record)}\n`);
        code = Math.max(code, 4);
      } else {
        process.stdout.write(`${JSON.stringify(item)}\n`);
      }
    }
  } finally {
    await from.close();
    await to.close();
  }
} catch (error) {
  if (error?.usage) {
    process.stderr.write(`store-copy: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`store-copy: ${error?.message ?? error}\n`);
  process.stdout.write(`${JSON.stringify(errorRecord(error))}\n`);
  code = exitCodeOf(error);
}
process.exitCode = code;
