#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'hb-tick',
  version: '0.1.0',
  help: HELP,
  flags: {
    string: ['on-event', 
      'max-dispatches-per-cycle', 'timeout', 'retry-cooldown', 'retry-cooldown-max', 'max-attempts', 'every', 'clear',
      'worker', 'worker-cmd', 'tasks-dir', 'state-dir', 'worktrees-dir', 'repo', 'stall-seconds', 'max-run-seconds', 'grace', 'max-cost-usd', 'max-turns', 'limit-backoff', 'max-active',
    ],
    boolean: ['dry-run', 'allow-task-commands'],
  },
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
