// A throwaway PostgreSQL server for tests, benchmarks and `just pg`: initdb into a temp
// dir, listening on 127.0.0.1 only (a free port) and on a unix socket in that dir,
// password logins over TCP. initdb refuses to run as root, so as root every server
// command runs as an unprivileged user that owns the temp dir. A guard process stops the
// server and removes the dir if the process that started it dies without stopping it.
//
//   import { startPgServer } from './pg-server.mjs';
//   const pg = await startPgServer();   // pg.url, pg.restart({ immediate: true }), pg.stop()
//
// The binaries: $TASK_MANAGER_PG_BIN, else Debian's /usr/lib/postgresql/<newest>/bin,
// else initdb on PATH. `just pg-install` installs Debian's server (docs/store.md).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const isExe = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The directory holding initdb, pg_ctl and postgres, or undefined. */
export const findPgBin = () => {
  const fromEnv = process.env.TASK_MANAGER_PG_BIN;
  if (fromEnv) return isExe(path.join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  try {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => isExe(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(debian, versions[0], 'bin');
  } catch {
    // not Debian's layout
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && isExe(path.join(dir, 'initdb')) && isExe(path.join(dir, 'pg_ctl'))) return path.dirname(fs.realpathSync(path.join(dir, 'initdb')));
  }
  return undefined;
};

const pgBinOrThrow = () => {
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) found: run `pnpm exec just pg-install` (Debian: apt-get install postgresql), or set TASK_MANAGER_PG_BIN to their directory');
  return bin;
};

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** As root, the user the server runs as: postgres when it exists (Debian's package makes it), else nobody. */
const serverUser = () => {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (r.status === 0) {
      const uid = Number(r.stdout.trim());
      const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
      return { name, uid, gid };
    }
  }
  throw new Error('running as root, and neither a "postgres" nor a "nobody" user exists to run PostgreSQL as (initdb refuses root)');
};

/**
 * Starts a server; resolves once it accepts connections. `url` logs in as `tm` with a
 * random password over TCP on 127.0.0.1 (the unix socket in `dir` needs none).
 */
export const startPgServer = async (options = {}) => {
  const bin = pgBinOrThrow();
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), 'tm-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const password = crypto.randomBytes(12).toString('hex');
  fs.writeFileSync(path.join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(path.join(dir, 'pwfile'), user.uid, user.gid);
  }
  const as = (file, args, opts = {}) => {
    const argv = user ? ['setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--', path.join(bin, file), ...args]] : [path.join(bin, file), args];
    const r = spawnSync(argv[0], argv[1], { encoding: 'utf8', cwd: dir, env: { ...process.env, LC_ALL: 'C' }, timeout: opts.timeoutMs ?? 60_000 });
    if (r.status !== 0 && !opts.allowFail) throw new Error(`${file} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim()}\n${readLog(log)}`);
    return r;
  };
  as('initdb', ['-D', data, '-U', 'tm', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${path.join(dir, 'pwfile')}`, '-E', 'UTF8', '--no-locale', '--no-sync']);
  fs.rmSync(path.join(dir, 'pwfile'), { force: true });
  let port = 0;
  // A free port can be taken between the probe and the start: try a few.
  for (let attempt = 0; ; attempt++) {
    port = options.port ?? (await freePort());
    // fsync off: a crash of the server's processes (what the tests do) loses nothing that
    // reached the kernel; synchronous_commit stays on, so every commit that answered is in the WAL.
    const settings = ['-c listen_addresses=127.0.0.1', `-p ${port}`, `-k ${dir}`, '-c fsync=off', '-c full_page_writes=off', '-c max_connections=200', '-c log_min_messages=warning'].join(' ');
    const r = as('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings, 'start'], { allowFail: true });
    if (r.status === 0) break;
    if (attempt >= 4 || options.port) throw new Error(`pg_ctl start failed: ${(r.stderr || r.stdout).trim()}\n${readLog(log)}`);
  }
  const guard = startGuard({ bin, data, dir, user });
  const url = `postgres://tm:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    /** The same server, no password: what messages may show. */
    safeUrl: `postgres://tm@127.0.0.1:${port}/postgres`,
    password,
    port,
    dir,
    bin,
    log,
    /** pg_ctl restart: `immediate` kills every server process at once (a crash), then starts again. */
    restart: async ({ immediate = false } = {}) => {
      as('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-m', immediate ? 'immediate' : 'fast', 'restart']);
    },
    /** Stops the server (immediate: no checkpoint) without starting it again; `start` brings it back. */
    halt: async ({ immediate = true } = {}) => {
      as('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', immediate ? 'immediate' : 'fast', 'stop']);
    },
    start: async () => {
      as('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
    },
    /** Runs SQL through the unix socket as the superuser (no password): for tests' set-up. */
    psql: (sql) => {
      const psql = path.join(bin, 'psql');
      const r = spawnSync(isExe(psql) ? psql : 'psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'tm', '-d', 'postgres', '-At', '-c', sql], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
      return r.stdout.trim();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      as('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'immediate', 'stop'], { allowFail: true });
      guard.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

const readLog = (log) => {
  try {
    return fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
};

/**
 * A detached shell that waits for this process to go, then stops the server and removes
 * its dir: a test runner killed mid-suite leaves no server behind.
 */
const startGuard = ({ bin, data, dir, user }) => {
  const pgCtl = user
    ? `setpriv --reuid ${user.uid} --regid ${user.gid} --clear-groups -- '${bin}/pg_ctl'`
    : `'${bin}/pg_ctl'`;
  // `tail --pid` returns when the watched process exits (no polling in our code).
  const script = `tail --pid=${process.pid} -f /dev/null; ${pgCtl} -D '${data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '${dir}'`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return { kill: () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
};

/** For the CLI: `node scripts/pg-server.mjs --bin` prints the binaries' directory, or fails. */
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname) && process.argv[2] === '--bin') {
  const bin = findPgBin();
  if (!bin) process.exit(1);
  process.stdout.write(`${bin}\n`);
}
