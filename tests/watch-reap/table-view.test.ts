import { PassThrough } from 'node:stream';
import t from 'tap';
import { orderRows, renderTable, totalsLine } from '@task-manager/core/watch/table-view';
import { tableScreen } from '../../tools/dispatch-watch/dist/table-screen.js';

const row = (slug: string, state: string, extra: Record<string, unknown> = {}) => ({
  type: 'status', slug, dispatch_state: state, state, done: !['running', 'starting', 'orphaned'].includes(state), run_id: `r-20261125T100000Z-${slug.padStart(6, '0')}`,
  worker: 'claude', started_at: new Date(Date.now() - 90_000).toISOString(), ended_at: null, last_output_at: new Date().toISOString(), followups_pending: 0,
  cost_usd: null, reason: null, outcome: null, held: null, ...extra,
}) as any;

t.test('the table: live rows first, then trouble, then the rest; short run ids; worker, last line, cost; a totals line', async (t) => {
  const today = new Date().toISOString();
  const rows = [row('a-done', 'exited', { cost_usd: 0.5, ended_at: today }), row('b-failed', 'failed', { reason: 'exit code 3: boom', cost_usd: 0.25, ended_at: today }), row('c-live', 'running', { last_line: 'running the tests' }), row('d-held', 'failed', { held: { by: 'me', at: today, reason: 'operator' } })];
  t.same(orderRows(rows).map((r: any) => r.slug), ['c-live', 'b-failed', 'd-held', 'a-done']);
  const text = renderTable(rows, { color: false, width: 0 });
  t.match(text, /^running\s+c-live\s+claude\s+1m\s+0s\s+-\s+0\s+…c-live\s+running the tests$/m, 'a live row shows its last line');
  t.match(text, /^held\s+d-held/m, 'a held task reads held');
  t.match(text, /^failed\s+b-failed\s+claude\s+.*\$0\.25.*exit code 3: boom$/m);
  t.equal(totalsLine(rows), 'running 1 · failed 1 · held 1 · cost today $0.75\n');
});

t.test('a pane too small hides finished rows first, never a live one', async (t) => {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, rows: 7, columns: 200 });
  let out = '';
  stdout.on('data', (d) => (out += d));
  const rows = [...Array.from({ length: 8 }, (_, i) => row(`done-${i}`, 'exited')), row('live-1', 'running'), row('live-2', 'orphaned')];
  const ctx = { io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' }, color: false, livenessMs: 60_000 } as any;
  const screen = tableScreen(ctx, () => rows);
  screen.close();
  t.match(out, /live-1/);
  t.match(out, /live-2/);
  t.match(out, /… and 7 more, finished/, 'seven finished rows left out, the live ones kept');
  t.match(out, /running 2 · failed 0 · cost today/);
});
