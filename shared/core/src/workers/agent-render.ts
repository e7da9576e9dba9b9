import { claudeRender } from './claude-render.js';
import { codexRender } from './codex-render.js';
import { geminiRender } from './gemini-render.js';

/**
 * Turns one agent's event stream into what a person reads. Fed every line of a run's
 * output in order; stateful where the agent's events are (Gemini's text arrives in
 * fragments, Codex announces a command before it reports it).
 */
export interface StreamRender {
  /**
   * The text for one line (several lines joined by \n), or undefined when it has
   * nothing to show (a turn started, a tool's successful output). A line that is not
   * one of the agent's events (stderr text, the supervisor's lines) comes back as it is.
   */
  line(raw: string): string | undefined;
  /** What is held back at the end of a run (Gemini's last fragments), if anything. */
  end(): string | undefined;
}

/** The command worker's output is any program's text: shown as it is. */
export const rawRender = (): StreamRender => ({ line: (raw) => raw, end: () => undefined });

// One renderer per adapter; demo speaks Claude's stream-json.
const RENDERS: Record<string, () => StreamRender> = {
  claude: claudeRender,
  demo: claudeRender,
  codex: codexRender,
  gemini: geminiRender,
  command: rawRender,
};

/** The renderer for a worker's output; an unknown worker's output is shown raw. */
export const streamRender = (worker: string | undefined): StreamRender => (RENDERS[worker ?? ''] ?? rawRender)();
