import { agentBin, extraArgs } from './extra-args.js';
import { eventParser } from './event-parser.js';
import { limitFromText } from './limit-signal.js';
import type { StreamParser, WorkerAdapter } from './types.js';

const NOT_FOUND = /no rollout found for thread id|No saved session found with ID/i;

/** Codex's --json events: thread.started carries the id; turn.completed / turn.failed end a turn. */
const codexParser = (): StreamParser => {
  let lastMessage: string | undefined;
  return eventParser(NOT_FOUND, (event, observed) => {
    if (event.type === 'thread.started' && typeof event.thread_id === 'string') observed.sessionId = event.thread_id;
    const item = event.item as Record<string, unknown> | undefined;
    if (event.type === 'item.completed' && item?.type === 'agent_message' && typeof item.text === 'string') lastMessage = item.text;
    if (event.type === 'turn.completed') observed.final = { isError: false, text: lastMessage };
    if (event.type === 'turn.failed') {
      const error = event.error as { message?: string } | undefined;
      observed.final = { isError: true, text: error?.message ?? lastMessage, reason: error?.message ?? 'turn failed' };
      const limit = error?.message ? limitFromText(error.message) : undefined;
      if (limit) observed.limit = limit;
    }
  });
};

/**
 * `codex exec`: no id up front (read from thread.started); always -C the worktree. The
 * prompt argument is `-`, which makes codex read the prompt from stdin, so `ps` does
 * not show it.
 */
export const codexAdapter: WorkerAdapter = {
  name: 'codex',
  stopSignals: ['SIGTERM'],
  resumable: true,
  invocation: ({ prompt, worktree, resumeSessionId }) => ({
    file: agentBin('codex'),
    args: [
      'exec',
      '--json',
      '--skip-git-repo-check',
      ...extraArgs('codex', ['-s', 'workspace-write']),
      '-C',
      worktree,
      ...(resumeSessionId ? ['resume', resumeSessionId] : []),
      '-',
    ],
    stdin: prompt,
  }),
  parser: codexParser,
};
