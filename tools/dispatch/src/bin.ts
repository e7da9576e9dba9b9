#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'dispatch',
  version: '0.1.0',
  help: HELP,
  flags: {
    string: ['on-event', 'prompt', 'prompt-file', 'worker', 'worker-cmd', 'timeout', 'repo', 'state-dir', 'worktrees-dir', 'tasks-dir', 'base', 'max-cost-usd', 'max-turns', 'stall-seconds', 'max-run-seconds', 'grace'],
    boolean: ['wait', 'allow-task-commands', 'force'],
  },
  // Loaded only when there is work: --help stays at bare start-up cost.
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
