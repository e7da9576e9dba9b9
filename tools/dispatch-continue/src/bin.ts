#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'dispatch-continue',
  version: '0.1.0',
  help: HELP,
  flags: {
    string: ['on-event', 'prompt', 'prompt-file', 'grace', 'timeout', 'worker', 'worker-cmd', 'repo', 'state-dir', 'worktrees-dir', 'tasks-dir', 'max-cost-usd', 'max-turns', 'drop'],
    boolean: ['interrupt', 'allow-task-commands', 'force', 'list'],
  },
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
