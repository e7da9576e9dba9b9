import type { StoreChange, StoreWatch, StoreWatchOptions } from '../store.js';
import { openSession, type Client } from './connect.js';
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
  let client: Client | undefined;
  const listen = () => {
    if (closed || client) return;
    const mine = openSession(target, () => {
      // Lost: a new connection at the next poll (a pg client is not reused).
      if (client === mine) client = undefined;
      mine.end().catch(() => undefined);
    });
    client = mine;
    mine.on('notification', (message) => {
      if (!closed && client === mine && message.channel === channel && message.payload) onChange({ slug: message.payload });
    });
    mine
      .connect()
      .then(() => mine.query(`LISTEN "${channel}"`))
      .then(() => {
        // Listening from now on: whatever changed before is read again.
        if (!closed && client === mine) onChange({ slug: undefined });
      })
      .catch(() => {
        if (client === mine) client = undefined;
        mine.end().catch(() => undefined);
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
      client?.end().catch(() => undefined);
      client = undefined;
    },
  };
};
