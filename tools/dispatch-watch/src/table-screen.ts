import { isFinishedRow, orderRows, renderTable, totalsLine } from '@task-manager/core/watch/table-view';
import type { WatchRecord } from '@task-manager/core/watch/follow';
import type { WatchContext } from './context.js';

const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * The --follow table on a terminal, redrawn in place: at most one redraw per 50 ms
 * however many records arrive, and one per liveness tick so the ages move on. Rows
 * beyond the screen's height are summed up in one line, so the table never scrolls.
 */
export const tableScreen = (ctx: WatchContext, rows: () => WatchRecord[]) => {
  const stdout = ctx.io.stdout as typeof ctx.io.stdout & { rows?: number };
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const draw = () => {
    timer = undefined;
    const all = orderRows(rows());
    // Header + rows + totals + the line the cursor rests on must fit, or the screen scrolls.
    const rowsFit = !stdout.rows || stdout.rows < 5 || all.length + 3 <= stdout.rows;
    const room = rowsFit ? all.length : (stdout.rows as number) - 4;
    // Too small a pane hides finished rows first (from the bottom), never a live one.
    let visible = all;
    if (all.length > room) {
      const live = all.filter((r) => !isFinishedRow(r));
      visible = live.length >= room ? live.slice(0, Math.max(room, 0)) : [...live, ...all.filter(isFinishedRow).slice(0, room - live.length)];
      visible = orderRows(visible);
    }
    let text = visible.length ? renderTable(visible, { color: ctx.color, width: stdout.columns }) : 'no dispatches\n';
    if (all.length > visible.length) text += `… and ${all.length - visible.length} more, finished (narrow with --state, or pipe for NDJSON)\n`;
    text += totalsLine(all);
    const lines = text.split('\n').map((l) => `${l}${CLEAR_LINE}`).join('\n');
    stdout.write(`${first ? CLEAR_SCREEN : ''}${HOME}${lines}${CLEAR_BELOW}`);
    first = false;
  };
  const tick = setInterval(draw, ctx.livenessMs);
  return {
    update: () => {
      timer ??= setTimeout(draw, 50);
    },
    close: () => {
      clearInterval(tick);
      if (timer) clearTimeout(timer);
      draw();
    },
  };
};
