import { agentBin, extraArgs } from './extra-args.js';
import { eventParser } from './event-parser.js';
import { limitFromText } from './limit-signal.js';
import { sessionArgs } from './session-args.js';
import type { StreamParser, WorkerAdapter } from './types.js';

const NOT_FOUND = /Invalid session identifier|No previous sessions found for this project/i;

/** Gemini's stream-json: init carries session_id; assistant deltas; a `result` last. */
const geminiParser = (): StreamParser => {
  let text = '';
  return eventParser(NOT_FOUND, (event, observed) => {
    if (event.type === 'init' && typeof event.session_id === 'string') observed.sessionId = event.session_id;
    if (event.type === 'message' && event.role === 'assistant' && typeof event.content === 'string') text += event.content;
    if (event.type === 'result') {
      const isError = event.status !== 'success';
      const error = event.error as { message?: string } | undefined;
      observed.final = { isError, text: isError ? error?.message : text, reason: isError ? error?.message ?? 'error' : undefined };
      const limit = isError && error?.message ? limitFromText(error.message) : undefined;
      if (limit) observed.limit = limit;
    }
  });
};

/**
 * `gemini`: session id chosen up front; resume from the same worktree. No `--prompt`:
 * with stdin not a terminal gemini runs headless and takes stdin as the prompt (with a
 * `--prompt` too, it would put stdin before it), so `ps` does not show the prompt.
 */
export const geminiAdapter: WorkerAdapter = {
  name: 'gemini',
  stopSignals: ['SIGTERM'],
  resumable: true,
  invocation: ({ prompt, resumeSessionId }) => {
    const session = sessionArgs(resumeSessionId);
    return {
      file: agentBin('gemini'),
      args: ['-o', 'stream-json', ...extraArgs('gemini', ['--skip-trust', '--approval-mode', 'yolo']), ...session.args],
      sessionId: session.sessionId,
      stdin: prompt,
    };
  },
  parser: geminiParser,
};
