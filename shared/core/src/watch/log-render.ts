import { streamRender, type StreamRender } from '../workers/agent-render.js';
import { parseRunHeader } from './log-header.js';

/**
 * A task's log as a person reads it. Each run's header names its worker, and that
 * worker's renderer reads the lines after it (a task may change agents between runs);
 * lines before any header use `worker` (the task's). The header itself, and every line
 * that is not an agent event, is returned as it is.
 */
export class LogRender {
  private render: StreamRender;

  constructor(worker: string | undefined) {
    this.render = streamRender(worker);
  }

  /** The text for one raw line (maybe several lines), or undefined for nothing to show. */
  line(raw: string): string | undefined {
    const header = parseRunHeader(raw);
    if (!header) return this.render.line(raw);
    const held = this.render.end();
    this.render = streamRender(header.worker);
    return held === undefined ? raw : `${held}\n${raw}`;
  }

  /** What the current run's renderer still holds. */
  end(): string | undefined {
    return this.render.end();
  }
}
