import { randomUuid } from '../ids/random.js';

/**
 * For agents whose session id can be chosen up front (Claude, Gemini, the demo): resume
 * the given id, or start a new one with a fresh UUID recorded before the run.
 */
export const sessionArgs = (resumeSessionId: string | null | undefined): { sessionId: string; args: string[] } => {
  if (resumeSessionId) return { sessionId: resumeSessionId, args: ['--resume', resumeSessionId] };
  const sessionId = randomUuid();
  return { sessionId, args: ['--session-id', sessionId] };
};
