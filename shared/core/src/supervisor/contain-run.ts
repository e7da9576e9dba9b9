import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A contained run dies with its supervisor, kernel-enforced (docs/reliability.md,
 * "A run dies with its supervisor"): the worker runs as
 *
 *   setpriv --pdeathsig KILL -- unshare --pid --fork --kill-child=KILL [--user --map-current-user] -- FILE ARGS…
 *
 * setpriv asks the kernel to SIGKILL the process we spawn (it becomes unshare by exec,
 * same pid) when the supervisor dies; unshare forks FILE as PID 1 of a new PID namespace
 * and asks for it to be SIGKILLed when unshare dies; when a namespace's PID 1 dies, the
 * kernel kills every process in it, `setsid` grandchildren included. Both are util-linux.
 *
 * Without root, creating a PID namespace needs a user namespace. It maps the current
 * user to itself, not to root (`--map-root-user`): the agent keeps the uid it has outside,
 * so a tool that refuses to run as root (Claude Code with --dangerously-skip-permissions)
 * or behaves differently as root (npm, pip) sees no change. Files it writes are owned by
 * the same user either way.
 */
export const CONTAIN_TOOLS = ['setpriv', 'unshare'] as const;

export interface ContainTools {
  setpriv: string;
  unshare: string;
}

/** The argv of a contained worker: what to spawn instead of FILE ARGS. */
export const containArgv = (file: string, args: readonly string[], options: { root: boolean; tools: ContainTools }): { file: string; args: string[] } => ({
  file: options.tools.setpriv,
  args: [
    '--pdeathsig',
    'KILL',
    '--',
    options.tools.unshare,
    '--pid',
    '--fork',
    '--kill-child=KILL',
    ...(options.root ? [] : ['--user', '--map-current-user']),
    '--',
    file,
    ...args,
  ],
});

const isExecutableFile = (file: string): 'ok' | 'ENOENT' | 'EACCES' => {
  try {
    if (!fs.statSync(file).isFile()) return 'EACCES';
    fs.accessSync(file, fs.constants.X_OK);
    return 'ok';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
  }
};

/**
 * Where `file` would be found the way execvp finds it (a name with a slash as it is,
 * relative to cwd; otherwise the first executable on PATH), or why not. A contained
 * worker is started by unshare, so a missing program would otherwise show only as
 * exit code 127 and a line in the log, not as the usual "program not found".
 */
export const findProgram = (file: string, cwd: string, pathVar: string | undefined): { found: string } | { error: 'ENOENT' | 'EACCES' } => {
  if (file.includes('/')) {
    const full = path.resolve(cwd, file);
    const how = isExecutableFile(full);
    return how === 'ok' ? { found: full } : { error: how };
  }
  let denied = false;
  for (const dir of (pathVar ?? '').split(':')) {
    // An empty PATH entry is the current directory.
    const full = path.resolve(cwd, dir === '' ? '.' : dir, file);
    const how = isExecutableFile(full);
    if (how === 'ok') return { found: full };
    if (how === 'EACCES' && fs.existsSync(full)) denied = true;
  }
  return { error: denied ? 'EACCES' : 'ENOENT' };
};

const probed = new Map<string, string | undefined>();

/**
 * The tools a contained run needs, found on PATH and tried once per process (a PID
 * namespace can be refused: a container without CAP_SYS_ADMIN, unprivileged user
 * namespaces turned off), or one clear sentence saying what is missing.
 */
export const containTools = (pathVar: string | undefined, root: boolean): ContainTools | { error: string } => {
  const found: Partial<Record<(typeof CONTAIN_TOOLS)[number], string>> = {};
  const missing: string[] = [];
  for (const tool of CONTAIN_TOOLS) {
    const where = findProgram(tool, '/', pathVar);
    if ('found' in where) found[tool] = where.found;
    else missing.push(tool);
  }
  if (missing.length > 0) {
    return {
      error: `cannot contain the run: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on PATH (install util-linux: apt-get install util-linux)`,
    };
  }
  const tools = found as ContainTools;
  const key = `${tools.setpriv}\0${tools.unshare}\0${root}`;
  if (!probed.has(key)) {
    // The inner program by its full path (`unshare --version`): the trial needs nothing else on PATH.
    const trial = containArgv(tools.unshare, ['--version'], { root, tools });
    let failure: string | undefined;
    try {
      execFileSync(trial.file, trial.args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, env: { PATH: pathVar ?? '' } });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      failure = `cannot contain the run: \`${[trial.file, ...trial.args].join(' ')}\` failed${stderr ? `: ${stderr}` : ` (${(error as Error).message})`}${
        root ? '' : ' (are unprivileged user namespaces allowed? sysctl user.max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns)'
      }`;
    }
    probed.set(key, failure);
  }
  const failure = probed.get(key);
  return failure === undefined ? tools : { error: failure };
};
