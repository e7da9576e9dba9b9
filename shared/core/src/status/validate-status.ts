import { STATES } from './schema.js';

type Check = (value: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const strOrNull: Check = (v) => v === null || typeof v === 'string';
const int: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const numOrNull: Check = (v) => v === null || typeof v === 'number';
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const identity: Check = (v) =>
  v === null || (obj(v) && int((v as { pid: unknown }).pid) && str((v as { start_time: unknown }).start_time) && str((v as { boot_id: unknown }).boot_id));
const followups: Check = (v) =>
  Array.isArray(v) && v.every((f) => obj(f) && str(f.id) && str(f.prompt) && (f.mode === 'queue' || f.mode === 'interrupt'));

const FIELDS: Record<string, Check> = {
  slug: str,
  state: (v) => (STATES as readonly unknown[]).includes(v),
  fence: int,
  run_id: strOrNull,
  attempt: int,
  failures: int,
  token: strOrNull,
  owner: identity,
  worker: identity,
  spec: (v) => v === null || obj(v),
  prompt: strOrNull,
  session_id: strOrNull,
  created_at: str,
  updated_at: str,
  started_at: strOrNull,
  ended_at: strOrNull,
  last_output_at: strOrNull,
  exit_code: numOrNull,
  signal: strOrNull,
  outcome: strOrNull,
  reason: strOrNull,
  cost_usd: numOrNull,
  followups,
  followup_id: strOrNull,
  interrupt_requested: strOrNull,
};

// Fields added later: absent in older files, checked when present.
const OPTIONAL: Record<string, Check> = {
  held: (v) => v === null || (obj(v) && str((v as { by: unknown }).by) && str((v as { at: unknown }).at)),
  stop_requested: strOrNull,
};

/** The first field that is missing or of the wrong type, or undefined for a good record. */
export const statusShapeProblem = (value: unknown): string | undefined => {
  if (!obj(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.type !== 'status') return 'field "type" is not "status"';
  if (record.version !== 1) return `unsupported version ${JSON.stringify(record.version)}`;
  for (const [field, check] of Object.entries(FIELDS)) {
    if (!check(record[field])) return `field "${field}" is missing or has the wrong type`;
  }
  for (const [field, check] of Object.entries(OPTIONAL)) {
    if (record[field] !== undefined && !check(record[field])) return `field "${field}" has the wrong type`;
  }
  return undefined;
};

