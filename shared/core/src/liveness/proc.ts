import fs from 'node:fs';

/** The fields of /proc/<pid>/stat that liveness needs. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Field 22: start time in clock ticks since boot; with boot_id and pid, an identity. */
  startTime: string;
}

export const hasProc = (): boolean => fs.existsSync('/proc/self/stat');

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself
 * hold spaces and ')', so fields are counted from the last ')'.
 */
export const parseStat = (text: string): ProcStat | undefined => {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const field = (n: number) => rest[n - 3];
  const startTime = field(22);
  if (startTime === undefined) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    state: field(3) ?? '?',
    ppid: Number(field(4)),
    pgid: Number(field(5)),
    sid: Number(field(6)),
    startTime,
  };
};

export const readStat = (pid: number): ProcStat | undefined => {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
};

let cachedBootId: string | undefined;
export const bootId = (): string => {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown';
    }
  }
  return cachedBootId;
};

/** Every process's stat, for finding the members of a group. */
export const listProcesses = (): ProcStat[] => {
  const result: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const stat = readStat(Number(name));
    if (stat) result.push(stat);
  }
  return result;
};

/** True when /proc/<pid>/environ holds the entry `NAME=value` exactly. */
export const environHas = (pid: number, entry: string): boolean => {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
};
