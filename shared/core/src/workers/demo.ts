import { fileURLToPath } from 'node:url';
import { claudeParser } from './claude.js';
import { sessionArgs } from './session-args.js';
import type { WorkerAdapter } from './types.js';

const DEMO_AGENT = fileURLToPath(new URL('./demo-agent.js', import.meta.url));

/** The built-in demo agent: speaks Claude's stream-json, so Claude's parser judges it; reads the prompt on stdin, as Claude does. */
export const demoAdapter: WorkerAdapter = {
  name: 'demo',
  stopSignals: ['SIGINT', 'SIGTERM'],
  resumable: true,
  invocation: ({ prompt, resumeSessionId }) => {
    const session = sessionArgs(resumeSessionId);
    return { file: process.execPath, args: [DEMO_AGENT, ...session.args], sessionId: session.sessionId, stdin: prompt };
  },
  parser: claudeParser,
};
