// One renderer per agent, fed the event lines each CLI really prints (trimmed of fields
// the renderers do not read), plus the lines that are not events.
import t from 'tap';
import { streamRender } from '@task-manager/core/workers/agent-render';

const j = (o: object) => JSON.stringify(o);
const render = (worker: string, lines: string[]) => {
  const r = streamRender(worker);
  const out = lines.map((l) => r.line(l));
  const end = r.end();
  return { out, end, shown: [...out, end].filter((x) => x !== undefined).join('\n') };
};

t.test('claude: words, one line per tool call, errors, the result with duration, turns and cost', async (t) => {
  const sid = '9f0493b3-0a83-4e71-b3e6-542b3edcac14';
  const lines = [
    j({ type: 'system', subtype: 'init', cwd: '/wt', session_id: sid, tools: ['Bash'], model: 'claude-opus-4-8[1m]', permissionMode: 'default' }),
    j({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: 'Let me look at the tests.' }] }, session_id: sid }),
    j({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_5', name: 'Bash', input: { command: 'echo hello-from-tool', description: 'Print a greeting' } }] }, session_id: sid }),
    j({ type: 'user', message: { role: 'user', content: [{ tool_use_id: 'toolu_5', type: 'tool_result', content: 'hello-from-tool', is_error: false }] }, session_id: sid, tool_use_result: { stdout: 'hello-from-tool' } }),
    j({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'toolu_6', name: 'Edit', input: { file_path: '/wt/src/auth.ts', old_string: 'a', new_string: 'b' } }] }, session_id: sid }),
    j({ type: 'user', message: { content: [{ tool_use_id: 'toolu_6', type: 'tool_result', content: 'File has not been read yet.\nRead it first.', is_error: true }] }, session_id: sid }),
    j({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 10, retry_delay_ms: 566.85, error_status: 401, error: 'authentication_failed', session_id: sid }),
    'Warning: no stdin data received in 3s, proceeding without it',
    j({ type: 'result', subtype: 'success', is_error: false, duration_ms: 1890, num_turns: 3, result: 'done', session_id: sid, total_cost_usd: 0.0123 }),
  ];
  const { out } = render('claude', lines);
  t.same(out, [
    `· session ${sid}, model claude-opus-4-8[1m]`,
    'Let me look at the tests.',
    '▸ Bash: echo hello-from-tool',
    undefined,
    '▸ Edit: /wt/src/auth.ts',
    '✗ tool error: File has not been read yet. …',
    '! retry 1/10 in 0.6 s, 401 authentication_failed',
    'Warning: no stdin data received in 3s, proceeding without it',
    '✓ done in 1.9 s, 3 turns, $0.0123',
  ]);
  const failed = render('claude', [
    j({ type: 'assistant', message: { model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 400 bad' }] }, error: 'invalid_request', session_id: sid }),
    j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 400, duration_ms: 189, num_turns: 1, result: 'API Error: 400 bad', total_cost_usd: 0 }),
    j({ type: 'result', subtype: 'error_max_turns', is_error: true, duration_ms: 237, num_turns: 2, total_cost_usd: 0.00125, terminal_reason: 'max_turns', errors: ['Reached maximum number of turns (1)'] }),
    j({ type: 'user', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] } }),
    j({ type: 'result', subtype: 'error_during_execution', is_error: true, duration_ms: 4434, num_turns: 2, total_cost_usd: 0, terminal_reason: 'aborted_streaming', errors: ['[ede_diagnostic] result_type=user'] }),
  ]).out;
  t.same(failed, [
    '✗ invalid_request\nAPI Error: 400 bad',
    '✗ success in 0.2 s, 1 turn, $0.0000: API Error: 400 bad',
    '✗ error_max_turns in 0.2 s, 2 turns, $0.0013: Reached maximum number of turns (1)',
    '! [Request interrupted by user]',
    '✗ interrupted in 4.4 s, 2 turns, $0.0000: [ede_diagnostic] result_type=user',
  ]);
  t.equal(render('demo', [lines[1] as string]).out[0], 'Let me look at the tests.', 'demo speaks Claude and is rendered by its renderer');
  t.equal(render('claude', ['{"type":"stream_event","event":{}}']).out[0], undefined, 'an event with nothing to read shows nothing');
  t.equal(render('claude', ['{not json']).out[0], '{not json', 'a line that only looks like JSON passes through');
});

t.test('codex: a command when it starts, again only if it failed; messages, warnings, the turn end', async (t) => {
  const lines = [
    j({ type: 'thread.started', thread_id: '01a20ee6-9dcf-7651-aade-e24ef6a9fb87' }),
    j({ type: 'item.completed', item: { id: 'item_0', type: 'error', message: 'Model metadata for `mock-model` not found. Defaulting to fallback metadata' } }),
    j({ type: 'turn.started' }),
    j({ type: 'item.started', item: { id: 'item_1', type: 'command_execution', command: "/bin/bash -lc 'echo hello-from-codex-tool'", aggregated_output: '', exit_code: null, status: 'in_progress' } }),
    j({ type: 'item.completed', item: { id: 'item_1', type: 'command_execution', command: "/bin/bash -lc 'echo hello-from-codex-tool'", aggregated_output: 'hello-from-codex-tool\n', exit_code: 0, status: 'completed' } }),
    j({ type: 'item.started', item: { id: 'item_2', type: 'command_execution', command: 'npm test', exit_code: null, status: 'in_progress' } }),
    j({ type: 'item.completed', item: { id: 'item_2', type: 'command_execution', command: 'npm test', aggregated_output: 'boom', exit_code: 1, status: 'failed' } }),
    j({ type: 'item.completed', item: { id: 'item_3', type: 'file_change', changes: [{ path: 'src/a.ts', kind: 'update' }], status: 'completed' } }),
    j({ type: 'item.completed', item: { id: 'item_4', type: 'agent_message', text: 'codex mock reply #2 (saw 6 input items)' } }),
    j({ type: 'error', message: 'Reconnecting... 1/5 (stream disconnected)' }),
    j({ type: 'turn.completed', usage: { input_tokens: 220, cached_input_tokens: 20, output_tokens: 25 } }),
    j({ type: 'turn.failed', error: { message: 'synthetic bad request' } }),
    'Reading additional input from stdin...',
  ];
  t.same(render('codex', lines).out, [
    '· thread 01a20ee6-9dcf-7651-aade-e24ef6a9fb87',
    '! Model metadata for `mock-model` not found. Defaulting to fallback metadata',
    undefined,
    "▸ shell: /bin/bash -lc 'echo hello-from-codex-tool'",
    undefined,
    '▸ shell: npm test',
    '✗ exit code 1: npm test',
    '▸ edit: update src/a.ts',
    'codex mock reply #2 (saw 6 input items)',
    '! Reconnecting... 1/5 (stream disconnected)',
    '✓ turn completed: 220 input tokens, 25 output tokens (thread total)',
    '✗ turn failed: synthetic bad request',
    'Reading additional input from stdin...',
  ]);
});

t.test('gemini: fragments joined into words, tool calls, tool errors, the result', async (t) => {
  const lines = [
    j({ type: 'init', timestamp: '2026-11-24T18:53:58.440Z', session_id: '23aff7da-2d42-43e5-a373-35d7e43eaab6', model: 'auto' }),
    j({ type: 'message', role: 'user', content: 'run a tool' }),
    j({ type: 'tool_use', tool_name: 'run_shell_command', tool_id: 'rsc_1', parameters: { command: 'echo hello-from-gemini-tool', description: 'greet' } }),
    j({ type: 'tool_result', tool_id: 'rsc_1', status: 'success', output: 'hello-from-gemini-tool' }),
    j({ type: 'tool_result', tool_id: 'rsc_2', status: 'error', error: { type: 'x', message: 'Tool "write_file" not found' } }),
    j({ type: 'message', role: 'assistant', content: 'gemini mock ', delta: true }),
    j({ type: 'message', role: 'assistant', content: 'reply #36 (saw 3 contents)', delta: true }),
    j({ type: 'result', status: 'success', stats: { total_tokens: 306, input_tokens: 270, output_tokens: 36, duration_ms: 292, tool_calls: 1 } }),
  ];
  t.same(render('gemini', lines).out, [
    '· session 23aff7da-2d42-43e5-a373-35d7e43eaab6, model auto',
    undefined,
    '▸ run_shell_command: echo hello-from-gemini-tool',
    undefined,
    '✗ tool error: Tool "write_file" not found',
    undefined,
    undefined,
    'gemini mock reply #36 (saw 3 contents)\n✓ done in 0.3 s, 1 tool call, 306 tokens',
  ]);
  const cut = render('gemini', [j({ type: 'message', role: 'assistant', content: 'partial ', delta: true }), j({ type: 'message', role: 'assistant', content: 'words', delta: true })]);
  t.equal(cut.end, 'partial words', 'fragments held at the end of a run are shown by end()');
  const apiError = render('gemini', [j({ type: 'result', status: 'error', error: { type: 'unknown', message: '[API Error: 400]\nPlease wait' }, stats: { total_tokens: 0, duration_ms: 0, tool_calls: 0 } })]);
  t.equal(apiError.out[0], '✗ error in 0.0 s, 0 tool calls, 0 tokens: [API Error: 400] …');
});

t.test('command output is any program\'s text: shown as it is', async (t) => {
  t.same(render('command', ['{"type":"result","is_error":false}', 'plain']).out, ['{"type":"result","is_error":false}', 'plain']);
  t.same(render('nobody-knows', ['x']).out, ['x'], 'an unknown worker: raw');
});
