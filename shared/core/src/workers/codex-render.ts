import type { StreamRender } from './agent-render.js';
import { jsonLine } from './json-line.js';
import { firstLine, summary, toolLine } from './tool-render.js';

type Fields = Record<string, unknown>;

/** An item that is a tool call, as its one line; undefined for the others. */
const callLine = (item: Fields): string | undefined => {
  switch (item.type) {
    case 'command_execution':
      return toolLine('shell', item.command);
    case 'file_change': {
      const changes = Array.isArray(item.changes) ? (item.changes as Fields[]) : [];
      return toolLine('edit', changes.map((c) => `${c.kind ?? 'change'} ${c.path ?? '?'}`).join(', '));
    }
    case 'mcp_tool_call':
      return toolLine(`mcp ${[item.server, item.tool].filter((v) => typeof v === 'string').join('.')}`.trim(), item.arguments);
    case 'web_search':
      return toolLine('web_search', item.query);
    default:
      return undefined;
  }
};

/**
 * Codex's --json events. A command shows when it starts (a long one is visible while it
 * runs) and again only if it failed; an item reported only when completed shows then.
 */
export const codexRender = (): StreamRender => {
  const started = new Set<unknown>();
  const item = (event: Fields): string | undefined => {
    const it = (event.item ?? {}) as Fields;
    if (event.type === 'item.started') {
      started.add(it.id);
      return callLine(it);
    }
    if (event.type !== 'item.completed') return undefined;
    if (it.type === 'agent_message' && typeof it.text === 'string') return it.text.trimEnd();
    if (it.type === 'error') return `! ${firstLine(String(it.message ?? 'error'), 300)}`;
    if (it.type === 'todo_list') return toolLine('todo', Array.isArray(it.items) ? `${it.items.length} items` : '');
    const failed = it.type === 'command_execution' && typeof it.exit_code === 'number' && it.exit_code !== 0;
    const call = started.has(it.id) ? undefined : callLine(it);
    if (failed) return [call, `✗ exit code ${it.exit_code}: ${firstLine(String(it.command ?? ''))}`].filter(Boolean).join('\n');
    return call;
  };
  return {
    line: (raw) => {
      const event = jsonLine(raw);
      if (!event) return raw;
      switch (event.type) {
        case 'thread.started':
          return `· thread ${String(event.thread_id ?? '?')}`;
        case 'item.started':
        case 'item.completed':
          return item(event);
        case 'error':
          return `! ${firstLine(String(event.message ?? 'error'), 300)}`;
        case 'turn.completed': {
          const usage = (event.usage ?? {}) as Fields;
          // Codex gives no cost or duration; its token counts are for the whole thread.
          return summary('✓ turn completed:', [typeof usage.input_tokens === 'number' ? `${usage.input_tokens} input tokens` : undefined, typeof usage.output_tokens === 'number' ? `${usage.output_tokens} output tokens (thread total)` : undefined]);
        }
        case 'turn.failed':
          return `✗ turn failed: ${firstLine(String((event.error as Fields | undefined)?.message ?? 'error'), 300)}`;
        default:
          return undefined;
      }
    },
    end: () => undefined,
  };
};
