import type { StreamRender } from './agent-render.js';
import { jsonLine } from './json-line.js';
import { firstLine, seconds, summary, toolLine } from './tool-render.js';

type Fields = Record<string, unknown>;

const blocks = (event: Fields): Fields[] => {
  const content = (event.message as Fields | undefined)?.content;
  return Array.isArray(content) ? content.filter((b): b is Fields => typeof b === 'object' && b !== null) : [];
};

const toolResultText = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof (c as Fields)?.text === 'string' ? (c as Fields).text : '')).join(' ');
  return '';
};

const assistant = (event: Fields): string | undefined => {
  const out: string[] = [];
  // An API failure arrives as an assistant event with a top-level error.
  if (typeof event.error === 'string') out.push(`✗ ${event.error}`);
  for (const block of blocks(event)) {
    if (block.type === 'text' && typeof block.text === 'string' && block.text.trim() !== '') out.push(block.text.trimEnd());
    else if (block.type === 'tool_use') out.push(toolLine(String(block.name ?? 'tool'), block.input));
    // thinking blocks are the agent's scratch work, not what it says: left out.
  }
  return out.length ? out.join('\n') : undefined;
};

const user = (event: Fields): string | undefined => {
  const out: string[] = [];
  for (const block of blocks(event)) {
    // A tool's output is in the log for whoever wants it; a failed call is news.
    if (block.type === 'tool_result' && block.is_error === true) out.push(`✗ tool error: ${firstLine(toolResultText(block.content))}`);
    else if (block.type === 'text' && typeof block.text === 'string' && block.text.startsWith('[Request interrupted')) out.push(`! ${block.text}`);
  }
  return out.length ? out.join('\n') : undefined;
};

const result = (event: Fields): string => {
  const turns = typeof event.num_turns === 'number' ? `${event.num_turns} turn${event.num_turns === 1 ? '' : 's'}` : undefined;
  const cost = typeof event.total_cost_usd === 'number' ? `$${event.total_cost_usd.toFixed(4)}` : undefined;
  const parts = [seconds(event.duration_ms) && `in ${seconds(event.duration_ms)}`, turns, cost];
  if (event.is_error !== true) return summary('✓ done', parts);
  const errors = Array.isArray(event.errors) ? event.errors.map(String).join('; ') : '';
  const why = errors || (typeof event.result === 'string' ? event.result : '') || String(event.subtype ?? 'error');
  const head = event.terminal_reason === 'aborted_streaming' ? '✗ interrupted' : `✗ ${String(event.subtype ?? 'error')}`;
  return `${summary(head, parts)}: ${firstLine(why, 300)}`;
};

const system = (event: Fields): string | undefined => {
  if (event.subtype === 'init') return summary('· session', [String(event.session_id ?? '?'), typeof event.model === 'string' ? `model ${event.model}` : undefined]);
  if (event.subtype === 'api_retry') {
    const status = [event.error_status, event.error].filter((v) => v !== undefined && v !== null).join(' ');
    return summary(`! retry ${event.attempt ?? '?'}/${event.max_retries ?? '?'}`, [seconds(event.retry_delay_ms) && `in ${seconds(event.retry_delay_ms)}`, status]);
  }
  return undefined;
};

const rateLimit = (event: Fields): string => {
  const info = (event.rate_limit_info ?? {}) as Fields;
  const resets = typeof info.resetsAt === 'number' ? `resets ${new Date(info.resetsAt * 1000).toISOString()}` : undefined;
  return summary('! rate limit', [typeof info.status === 'string' ? info.status : undefined, resets]);
};

/** Claude's stream-json (and the demo agent's): words, tool calls, errors and the result line. */
export const claudeRender = (): StreamRender => ({
  line: (raw) => {
    const event = jsonLine(raw);
    if (!event) return raw;
    switch (event.type) {
      case 'assistant':
        return assistant(event);
      case 'user':
        return user(event);
      case 'result':
        return result(event);
      case 'system':
        return system(event);
      case 'rate_limit_event':
        return rateLimit(event);
      default:
        return undefined;
    }
  },
  end: () => undefined,
});
