#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'dispatch-watch',
  version: '0.1.0',
  help: HELP,
  flags: { string: ['state', 'log', 'history', 'tail', 'run', 'interval', 'state-dir', 'repo'], boolean: ['follow', 'until-done', 'pretty', 'changes'] },
  // Loaded only past --help, so the help stays at bare node start-up.
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
