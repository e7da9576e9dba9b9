import { createHash } from 'node:crypto';

// What decides which account an agent bills: its credentials, config home and endpoint.
// Hashed, never stored: the key says "same account", not whose.
const ACCOUNT_ENV: Record<string, string[]> = {
  claude: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR', 'ANTHROPIC_BASE_URL', 'TASK_MANAGER_CLAUDE_BIN'],
  demo: ['TASK_MANAGER_DEMO_ACCOUNT'],
  codex: ['OPENAI_API_KEY', 'CODEX_HOME', 'OPENAI_BASE_URL', 'TASK_MANAGER_CODEX_BIN'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_GEMINI_BASE_URL', 'TASK_MANAGER_GEMINI_BIN'],
};

/**
 * The account a worker runs under: the worker's name plus a hash of the environment
 * that selects its account (TASK_MANAGER_ACCOUNT names one explicitly). For the
 * command worker, the program is the account. A limit is the account's: while one is
 * in force, no other task is sent to the same key.
 */
export const accountKey = (worker: string, env: Record<string, string | undefined>, program?: string | null): string => {
  const names = ACCOUNT_ENV[worker] ?? [];
  const parts = [env.TASK_MANAGER_ACCOUNT ?? '', ...names.map((n) => `${n}=${env[n] ?? ''}`), worker === 'command' ? program ?? '' : ''];
  return `${worker}:${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12)}`;
};
