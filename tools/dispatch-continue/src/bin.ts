#!/usr/bin/env node
import { main } from '@task-manager/core/cli/run-bin';
import { flagSpecOf } from '@task-manager/core/cli/option-table';
import { HELP } from './help.js';
import { OPTIONS } from './options.js';

main({
  name: 'dispatch-continue',
  version: '0.1.0',
  help: HELP,
  flags: flagSpecOf(OPTIONS),
  run: async (args, io) => (await import('./run.js')).run(args, io),
});
