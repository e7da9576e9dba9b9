#!/usr/bin/env node
// `just pg`: a throwaway local PostgreSQL server to try the PostgreSQL store with. Prints
// the TASK_MANAGER_STORE to use and keeps the server until Ctrl-C (or until this process
// ends): then the server stops and its directory goes. 127.0.0.1 only.
import { startPgServer } from './pg-server.mjs';

const server = await startPgServer();
const url = server.url;
process.stderr.write(`a throwaway PostgreSQL server is running on 127.0.0.1:${server.port} (data in ${server.dir})\n`);
process.stderr.write('in another shell, point the tools at it (the password is in the URL: keep it in the environment):\n\n');
process.stdout.write(`export TASK_MANAGER_STORE='${url}'\n`);
process.stderr.write('\nthe tables are created on first use, in schema task_manager (add ?schema=NAME for another);\n');
process.stderr.write('Ctrl-C stops the server and removes everything it stored.\n');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
