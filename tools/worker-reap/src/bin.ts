#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'worker-reap',
  version: '0.1.0',
  help: HELP,
  flags: { string: ['on-event', 'grace', 'state-dir', 'repo', 'base', 'archive'], boolean: ['dry-run', 'kill-orphans', 'prune'] },
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
