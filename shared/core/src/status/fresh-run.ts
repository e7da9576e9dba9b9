import type { StatusRecord } from './schema.js';

/** The fields a new run starts from: nothing known yet about how it goes or ends. */
export const freshRunFields = (): Pick<
  StatusRecord,
  'worker' | 'started_at' | 'ended_at' | 'ended_mono' | 'last_output_at' | 'exit_code' | 'signal' | 'outcome' | 'reason' | 'cost_usd' | 'interrupt_requested'
> => ({
  worker: null,
  started_at: null,
  ended_at: null,
  ended_mono: null,
  last_output_at: null,
  exit_code: null,
  signal: null,
  outcome: null,
  reason: null,
  cost_usd: null,
  interrupt_requested: null,
});
