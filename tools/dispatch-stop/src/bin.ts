#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { HELP } from './help.js';

main({
  name: 'dispatch-stop',
  version: '0.1.0',
  help: HELP,
  flags: {
    string: ['grace', 'timeout', 'reason', 'repo', 'state-dir'],
    boolean: ['release'],
  },
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
