/**
 * Node reads NODE_EXTRA_CA_CERTS once, as it starts, and parses every certificate in the
 * file whether or not the process ever opens a TLS connection: with Debian's bundle (144
 * certificates) that is ~38 ms of CPU and ~1.8 MiB resident per process, twice what the
 * rest of node's start-up costs (bench/measure/extra-ca-certs.mjs). A supervisor on the
 * file store opens none, so it starts without the variable, and puts it back before it
 * starts anything: the worker, hooks and git see the environment they always did.
 */
const HELD = 'TASK_MANAGER_HELD_NODE_EXTRA_CA_CERTS';

/** The supervisor's environment on a store it reaches without the network (the file store). */
export const holdExtraCaCerts = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  if (env.NODE_EXTRA_CA_CERTS === undefined) return env;
  const held: NodeJS.ProcessEnv = { ...env, [HELD]: env.NODE_EXTRA_CA_CERTS };
  delete held.NODE_EXTRA_CA_CERTS;
  return held;
};

/** The supervisor's first step: the variable back in its environment, for its children. */
export const restoreExtraCaCerts = (env: NodeJS.ProcessEnv = process.env): void => {
  const value = env[HELD];
  if (value === undefined) return;
  env.NODE_EXTRA_CA_CERTS = value;
  delete env[HELD];
};
