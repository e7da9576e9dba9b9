import os from 'node:os';

/** Who did it, for history: the user, the host and the tool (`alice@build-2 dispatch-stop`). */
export const whoAmI = (tool: string): string => {
  let user = process.env.USER ?? process.env.LOGNAME ?? '';
  try {
    user ||= os.userInfo().username;
  } catch {
    user ||= String(process.getuid?.() ?? '?');
  }
  return `${user}@${os.hostname()} ${tool}`;
};
