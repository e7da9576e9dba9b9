import { jsonLine } from './json-line.js';
import type { Observation, StreamParser } from './types.js';

/**
 * The frame every agent's parser shares: a line that says the session is unknown (on
 * stdout or stderr) marks it; a JSON line goes to `onEvent`; anything else is ignored.
 */
export const eventParser = (notFound: RegExp, onEvent: (event: Record<string, unknown>, observed: Observation) => void): StreamParser => {
  const observed: Observation = { sessionNotFound: false, aborted: false };
  return {
    observed,
    line: (line) => {
      if (notFound.test(line)) observed.sessionNotFound = true;
      const event = jsonLine(line);
      if (event) onEvent(event, observed);
    },
  };
};
