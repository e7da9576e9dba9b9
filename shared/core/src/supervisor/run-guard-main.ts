/**
 * The guard process (started by run-guard.ts, not by hand):
 *
 *   node run-guard-main.js <pgid> <budget ms>     token in TASK_MANAGER_GUARD_TOKEN
 *
 * Kills the run (SIGKILL to its process group and to every process carrying its token)
 * when the supervisor stops feeding it: each line on stdin is a new budget in
 * milliseconds from the moment it is read, on this process's monotonic clock (node's
 * timers); "stop" ends the guard without a kill; the pipe closing without "stop" means
 * the supervisor died, and kills at once. Exits by itself once the run's group and
 * token are gone, so it never outlives the run. What it did goes to stderr (the task's
 * log). Exit codes: run-guard-protocol.ts.
 */
import { environHas, listProcesses, readStat, type ProcStat } from '../liveness/proc.js';
import { RUN_TOKEN_ENV } from '../liveness/run-processes.js';
import { GUARD_EXIT, GUARD_STOP, GUARD_TOKEN_ENV } from './run-guard-protocol.js';

// How often the guard looks whether the run is over (and exits): a safety net, the
// supervisor stops it when the run ends.
const GONE_POLL_MS = 500;
const KILL_WAIT_MS = 5000;

const note = (text: string) => {
  try {
    process.stderr.write(`task-manager guard ${new Date().toISOString()}: ${text}\n`);
  } catch {
    // nowhere to say it
  }
};

const pgid = Number(process.argv[2]);
const budget = Number(process.argv[3]);
const token = process.env[GUARD_TOKEN_ENV];
if (!Number.isInteger(pgid) || pgid <= 1 || !Number.isFinite(budget) || budget < 0 || !token) {
  process.stderr.write(`usage: run-guard <pgid> <budget ms> with ${GUARD_TOKEN_ENV} set (started by the supervisor, not by hand)\n`);
  process.exit(GUARD_EXIT.usage);
}
const entry = `${RUN_TOKEN_ENV}=${token}`;
// The group's leader now (the worker, just spawned): if its pid is later held by
// another process, the group number was freed and reused, and the group is not ours.
const leaderStart = readStat(pgid)?.startTime;
const groupIsOurs = (): boolean => {
  const now = readStat(pgid);
  return !now || now.startTime === leaderStart;
};

/** The run's live processes: its group (while ours) and everything carrying its token. */
const alive = (): ProcStat[] => {
  const ours = groupIsOurs();
  return listProcesses().filter((p) => p.state !== 'Z' && p.state !== 'X' && p.pid !== process.pid && ((ours && p.pgid === pgid) || environHas(p.pid, entry)));
};

let firing = false;
let deadline: NodeJS.Timeout | undefined;

const killGroup = () => {
  if (!groupIsOurs()) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // no such group any more
  }
};

const fire = async (why: string): Promise<void> => {
  if (firing) return;
  firing = true;
  if (deadline) clearTimeout(deadline);
  process.stdin.pause();
  // The worker alive (one read): its group goes at once, before the slower look at
  // every process for the token.
  const leader = readStat(pgid);
  const leaderAlive = leader !== undefined && leader.startTime === leaderStart && leader.state !== 'Z' && leader.state !== 'X';
  if (leaderAlive) killGroup();
  else if (alive().length === 0) {
    note(`${why}; the run had already ended`);
    process.exit(GUARD_EXIT.done);
  }
  note(`${why}: killing the run (process group ${pgid} and every process with its token)`);
  const until = performance.now() + KILL_WAIT_MS;
  for (;;) {
    killGroup();
    const left = alive();
    for (const p of left) {
      // Still the process just listed: pids are reused.
      if (readStat(p.pid)?.startTime !== p.startTime) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone in between
      }
    }
    if (left.length === 0) {
      note('the run is gone');
      process.exit(GUARD_EXIT.killed);
    }
    if (performance.now() >= until) {
      note(`processes ${left.map((p) => p.pid).join(', ')} survived SIGKILL`);
      process.exit(GUARD_EXIT.survivors);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

const arm = (ms: number) => {
  if (firing) return;
  if (deadline) clearTimeout(deadline);
  deadline = setTimeout(() => void fire(`no word from the supervisor for ${ms} ms`), ms);
};

arm(budget);

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end).trim();
    pending = pending.slice(end + 1);
    if (line === GUARD_STOP) process.exit(GUARD_EXIT.done);
    const ms = Number(line);
    if (line !== '' && Number.isFinite(ms) && ms >= 0) arm(ms);
  }
});
const supervisorGone = () => void fire('the supervisor is gone (its pipe to the guard closed)');
process.stdin.on('end', supervisorGone);
process.stdin.on('error', supervisorGone);

// Never outlive the run: once its group is empty and nothing carries its token, exit.
setInterval(() => {
  if (firing) return;
  try {
    process.kill(-pgid, 0);
    if (groupIsOurs()) return;
  } catch (error) {
    // EPERM: a group is there, not ours to signal; ESRCH: no group.
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return;
  }
  if (alive().length === 0) process.exit(GUARD_EXIT.done);
}, GONE_POLL_MS);
