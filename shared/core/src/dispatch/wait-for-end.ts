import { isAlive } from '../liveness/identity.js';
import { isTerminal, type StatusRecord } from '../status/schema.js';
import type { Store } from '../store/store.js';
import { waitForStatus } from './wait-for-status.js';

/** The chain claimed with `fence` is over: its last run ended and its supervisor left. */
const chainOver = (fence: number) => (s: StatusRecord) => s.fence !== fence || (isTerminal(s.state) && !isAlive(s.owner));

/** Follows a chain to its end (dispatch --wait); no time limit but the caller's. */
export const waitForChainEnd = async (store: Store, slug: string, fence: number, timeoutMs = 2 ** 31 - 1): Promise<StatusRecord | undefined> =>
  (await waitForStatus(store, slug, chainOver(fence), timeoutMs)).status;
