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

// Fields added after version 1 was fixed: absent in older files, checked when present.
const OPTIONAL_FIELDS: Record<string, Check> = {
  held: (v) => v === null || (obj(v) && str((v as { by: unknown }).by) && str((v as { at: unknown }).at)),
  stop_requested: strOrNull,
  branch: strOrNull,
  base_commit: strOrNull,
  worktree_setup: (v) => v === null || obj(v),
  limit: (v) => v === null || (obj(v) && str((v as { account: unknown }).account) && int((v as { wait_ms: unknown }).wait_ms)),
  cost_total_usd: numOrNull,
};

// Listed once: a snapshot checks every status (10,000 of them), and Object.entries per
// check was two arrays of pairs each time, most of the snapshot's garbage.
const REQUIRED_CHECKS = Object.entries(FIELDS);
const OPTIONAL_CHECKS = Object.entries(OPTIONAL_FIELDS);

/** The first field that is missing or of the wrong type, or undefined for a good record. */
export const statusShapeProblem = (value: unknown): string | undefined => {
  if (!obj(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.type !== 'status') return 'field "type" is not "status"';
  if (record.version !== 1) return `unsupported version ${JSON.stringify(record.version)}`;
  for (const [field, check] of REQUIRED_CHECKS) {
    if (!check(record[field])) return `field "${field}" is missing or has the wrong type`;
  }
  for (const [field, check] of OPTIONAL_CHECKS) {
    if (record[field] !== undefined && !check(record[field])) return `field "${field}" has the wrong type`;
  }
  return undefined;
};

