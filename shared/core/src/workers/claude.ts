import { agentBin, extraArgs } from './extra-args.js';
import { eventParser } from './event-parser.js';
import { claudeLimit } from './limit-signal.js';
import { sessionArgs } from './session-args.js';
import type { StreamParser, WorkerAdapter } from './types.js';

const NOT_FOUND = /No conversation found with session ID/;

/** Claude's stream-json: session_id on every event, a `result` event last. */
export const claudeParser = (): StreamParser =>
  eventParser(NOT_FOUND, (event, observed) => {
    if (typeof event.session_id === 'string') observed.sessionId = event.session_id;
    const limit = claudeLimit(event, observed.limit);
    if (limit) observed.limit = limit;
    if (event.type !== 'result') return;
    const errors = Array.isArray(event.errors) ? event.errors.map(String) : [];
    if (errors.some((e) => NOT_FOUND.test(e))) observed.sessionNotFound = true;
    if (event.terminal_reason === 'aborted_streaming') observed.aborted = true;
    if (typeof event.total_cost_usd === 'number') observed.costUsd = event.total_cost_usd;
    // Test is_error, not subtype: an API error arrives as subtype "success" with is_error.
    const isError = event.is_error === true;
    const text = typeof event.result === 'string' ? event.result : errors.join('; ') || undefined;
    observed.final = { isError, text, reason: isError ? (text ?? String(event.subtype ?? 'error')) : undefined };
  });

/**
 * `claude -p`: the session id is chosen up front, resume runs from the same worktree.
 * The prompt goes on stdin (with no prompt argument, `claude -p` reads it there), so
 * `ps` shows the flags but not the prompt.
 */
export const claudeAdapter: WorkerAdapter = {
  name: 'claude',
  // SIGINT makes Claude end the turn with a final (aborted) result; SIGTERM after that.
  stopSignals: ['SIGINT', 'SIGTERM'],
  resumable: true,
  invocation: ({ prompt, resumeSessionId, maxTurns, maxBudgetUsd }) => {
    const session = sessionArgs(resumeSessionId);
    // Claude counts turns and cost itself and stops there (result subtype error_max_turns / error_max_budget_usd).
    const limits = [...(maxTurns ? ['--max-turns', String(maxTurns)] : []), ...(maxBudgetUsd ? ['--max-budget-usd', maxBudgetUsd.toFixed(2)] : [])];
    return {
      file: agentBin('claude'),
      args: ['-p', '--output-format', 'stream-json', '--verbose', ...session.args, ...limits, ...extraArgs('claude', ['--permission-mode', 'acceptEdits'])],
      sessionId: session.sessionId,
      stdin: prompt,
    };
  },
  parser: claudeParser,
};
