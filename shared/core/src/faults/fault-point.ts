/**
 * Named places where the reliability suite kills (or freezes) a process on purpose, to
 * prove that state stays sound whatever step a process dies at. Inert unless
 * TASK_MANAGER_FAULT names the point: `kill:<point>` sends SIGKILL to this process,
 * `stop:<point>` SIGSTOP (a process frozen past the lock's stale time), `throw:<point>`
 * throws (a bug or an I/O error the code did not expect).
 */
export const faultPoint = (point: string): void => {
  const fault = process.env.TASK_MANAGER_FAULT;
  if (!fault) return;
  if (fault === `kill:${point}`) process.kill(process.pid, 'SIGKILL');
  if (fault === `stop:${point}`) process.kill(process.pid, 'SIGSTOP');
  if (fault === `throw:${point}`) throw new Error(`fault injected at ${point}`);
};
