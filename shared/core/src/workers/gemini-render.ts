import type { StreamRender } from './agent-render.js';
import { jsonLine } from './json-line.js';
import { firstLine, seconds, summary, toolLine } from './tool-render.js';

type Fields = Record<string, unknown>;

/**
 * Gemini's stream-json. Its words arrive as fragments (`delta: true`); they are held
 * and shown whole when the next other line arrives, or at the run's end.
 */
export const geminiRender = (): StreamRender => {
  let words = '';
  const withWords = (text: string | undefined): string | undefined => {
    const held = words.trimEnd();
    words = '';
    return [held || undefined, text].filter((t) => t !== undefined).join('\n') || undefined;
  };
  const event = (e: Fields): string | undefined => {
    switch (e.type) {
      case 'init':
        return summary('· session', [String(e.session_id ?? '?'), typeof e.model === 'string' ? `model ${e.model}` : undefined]);
      case 'tool_use':
        return toolLine(String(e.tool_name ?? 'tool'), e.parameters);
      case 'tool_result': {
        if (e.status !== 'error') return undefined;
        const error = e.error as Fields | undefined;
        return `✗ tool error: ${firstLine(String(error?.message ?? e.output ?? 'error'), 300)}`;
      }
      case 'error':
        return `! ${firstLine(String(e.message ?? (e.error as Fields | undefined)?.message ?? 'error'), 300)}`;
      case 'result': {
        const stats = (e.stats ?? {}) as Fields;
        const calls = typeof stats.tool_calls === 'number' ? `${stats.tool_calls} tool call${stats.tool_calls === 1 ? '' : 's'}` : undefined;
        const tokens = typeof stats.total_tokens === 'number' ? `${stats.total_tokens} tokens` : undefined;
        const parts = [seconds(stats.duration_ms) && `in ${seconds(stats.duration_ms)}`, calls, tokens];
        if (e.status === 'success') return summary('✓ done', parts);
        return `${summary('✗ error', parts)}: ${firstLine(String((e.error as Fields | undefined)?.message ?? 'error'), 300)}`;
      }
      default:
        return undefined; // the user's own prompt echoed back, and events we do not know
    }
  };
  return {
    line: (raw) => {
      const e = jsonLine(raw);
      if (e?.type === 'message' && e.role === 'assistant' && typeof e.content === 'string') {
        if (e.delta === true) {
          words += e.content;
          return undefined;
        }
        return withWords(e.content.trimEnd());
      }
      return withWords(e ? event(e) : raw);
    },
    end: () => withWords(undefined),
  };
};
