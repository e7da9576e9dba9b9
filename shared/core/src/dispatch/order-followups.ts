import type { Followup } from '../status/schema.js';

/** Interrupt follow-ups run before queued ones; each group keeps its order. */
export const orderFollowups = (list: Followup[]): Followup[] => [
  ...list.filter((f) => f.mode === 'interrupt'),
  ...list.filter((f) => f.mode !== 'interrupt'),
];
