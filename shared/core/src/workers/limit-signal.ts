/**
 * A run that ended because the agent's account hit a limit, not because of the task:
 * what kind, and when it resets where the CLI said so. What each CLI prints was seen
 * against fake servers (docs/limits.md); the reset comes, in order of trust, from an
 * explicit epoch, then a delay the CLI printed, else our own backoff.
 */
export interface LimitSignal {
  /** rate: too many requests now; usage: a plan or quota is used up (hours); overloaded: the service, not the account. */
  kind: 'rate' | 'usage' | 'overloaded';
  /** An explicit reset time (Claude's resetsAt). */
  resetsAtMs?: number;
  /** A delay the CLI printed ("try again in 30s", retry_delay_ms). */
  retryAfterMs?: number;
  /** The agent's own words, for the reason. */
  text?: string;
}

const seconds = (text: string, pattern: RegExp): number | undefined => {
  const m = pattern.exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
};

/**
 * The kind of limit an agent's error text names, and a delay it printed. Undefined for
 * any other error: a limit is never guessed from a failure that did not say so.
 */
export const limitFromText = (text: string): LimitSignal | undefined => {
  const retryAfterMs = seconds(text, /(?:try again in|retry after|Suggested retry after)\s+(\d+(?:\.\d+)?)\s*s\b/i);
  const base = { text: text.slice(0, 500), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (/usage limit|session limit|daily quota|exhausted your|Quota exceeded\. Check your plan|insufficient_quota/i.test(text)) return { kind: 'usage', ...base };
  if (/\b429\b|rate limit|Too Many Requests|RESOURCE_EXHAUSTED|Quota exceeded for quota metric/i.test(text)) return { kind: 'rate', ...base };
  if (/\b529\b|\b503\b|Overloaded|at capacity|Service Unavailable/i.test(text)) return { kind: 'overloaded', ...base };
  return undefined;
};

/**
 * Claude: a subscription's `rate_limit_event` (status rejected, `resetsAt` in epoch
 * seconds) comes first; an API key's retries print `api_retry` with `retry_delay_ms`;
 * the `result` says `api_error_status` 429/529/503 and the text.
 */
export const claudeLimit = (event: Record<string, unknown>, seen: LimitSignal | undefined): LimitSignal | undefined => {
  if (event.type === 'rate_limit_event') {
    const info = event.rate_limit_info as { status?: unknown; resetsAt?: unknown } | undefined;
    if (info?.status === 'rejected') {
      return { kind: 'usage', ...(typeof info.resetsAt === 'number' ? { resetsAtMs: info.resetsAt * 1000 } : {}) };
    }
    return seen;
  }
  if (event.type === 'system' && event.subtype === 'api_retry' && typeof event.retry_delay_ms === 'number') {
    const kind = event.error_status === 429 ? 'rate' : 'overloaded';
    return { ...seen, kind: seen?.kind ?? kind, retryAfterMs: event.retry_delay_ms };
  }
  if (event.type === 'result' && event.is_error === true) {
    const text = typeof event.result === 'string' ? event.result : '';
    const status = event.api_error_status;
    const fromText = limitFromText(text);
    const kind = fromText?.kind ?? (status === 429 ? 'rate' : status === 529 || status === 503 ? 'overloaded' : undefined);
    if (!kind && !seen) return undefined;
    return { ...seen, ...fromText, kind: seen?.kind === 'usage' ? 'usage' : (kind ?? (seen as LimitSignal).kind), text: text.slice(0, 500) };
  }
  return seen;
};

/** Gemini exits with the HTTP status mod 256: 173 for 429, 247 for 503. */
export const geminiExitLimit = (exitCode: number | null): LimitSignal | undefined =>
  exitCode === 173 ? { kind: 'rate' } : exitCode === 247 ? { kind: 'overloaded' } : undefined;

/**
 * The command worker has no event stream: a program (or a wrapper around an agent) says
 * it hit a limit with one line, `task-manager: limit KIND [retry_after=SECONDS] [resets_at=ISO]`.
 */
export const commandLimit = (line: string): LimitSignal | undefined => {
  const m = /^task-manager: limit (rate|usage|overloaded)\b(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const rest = m[2] ?? '';
  const retry = /retry_after=(\d+(?:\.\d+)?)/.exec(rest);
  const resets = /resets_at=(\S+)/.exec(rest);
  const resetsAtMs = resets ? Date.parse(resets[1] as string) : NaN;
  return {
    kind: m[1] as LimitSignal['kind'],
    ...(retry ? { retryAfterMs: Number(retry[1]) * 1000 } : {}),
    ...(Number.isNaN(resetsAtMs) ? {} : { resetsAtMs }),
  };
};
