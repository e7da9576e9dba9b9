import type { StoreChange, StoreWatch, StoreWatchOptions } from '../store.js';
import { openSession } from './connect.js';
import type { PgTarget } from './url.js';

/**
 * Status changes by LISTEN/NOTIFY: the trigger on the task table notifies channel
 * "<schema>.task" with the slug at each commit. NOTIFY is not durable: whenever the
 * LISTEN starts (the first time and after every reconnect), `{slug: undefined}` tells
 * the caller to read everything again, since a change may have gone by unheard. The
 * listening connection is tried again at every poll while it is down, and ends with
 * close(), so it never keeps the process alive after that.
 */
export const watchNotifications = (target: PgTarget, onChange: (change: StoreChange) => void, options: StoreWatchOptions): StoreWatch => {
  const channel = `${target.schema}.task`;
  let closed = false;
  let listening = false;
  let starting = false;
  const sql = openSession(target, {
    onnotify: (name: string, payload: string) => {
      if (!closed && name === channel) onChange({ slug: payload });
    },
    onclose: () => {
      listening = false;
    },
  });
  const listen = () => {
    if (closed || listening || starting) return;
    starting = true;
    sql
      .unsafe(`LISTEN "${channel}"`)
      .then(() => {
        starting = false;
        if (closed) return;
        listening = true;
        onChange({ slug: undefined });
      })
      .catch(() => {
        starting = false;
        listening = false;
      });
  };
  listen();
  const timer = setInterval(() => {
    listen();
    options.onPoll?.();
  }, options.pollMs);
  if (options.unref) timer.unref();
  return {
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      void sql.end({ timeout: 0 }).catch(() => undefined);
    },
  };
};
