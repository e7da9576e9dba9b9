/**
 * Named places where the reliability suite kills (or freezes) a process on purpose, to
 * prove that state stays sound whatever step a process dies at. Inert unless
 * TASK_MANAGER_FAULT names the point (several, comma-separated): `kill:<point>` sends
 * SIGKILL to this process, `stop:<point>` SIGSTOP (a process frozen past the lock's stale
 * time, or while the test restarts the database), `throw:<point>` throws (a bug or an I/O
 * error the code did not expect). A stop happens once per process and point: a
 * transaction run again after the freeze passes the same point and must go on.
 */
const stopped = new Set<string>();

export const faultPoint = (point: string): void => {
  const fault = process.env.TASK_MANAGER_FAULT;
  if (!fault) return;
  const faults = fault.split(',');
  if (faults.includes(`kill:${point}`)) process.kill(process.pid, 'SIGKILL');
  if (faults.includes(`stop:${point}`) && !stopped.has(point)) {
    stopped.add(point);
    process.kill(process.pid, 'SIGSTOP');
  }
  if (faults.includes(`throw:${point}`)) throw new Error(`fault injected at ${point}`);
};
