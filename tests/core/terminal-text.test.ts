import t from 'tap';
import { forTerminal } from '@task-manager/core/cli/terminal-text';

const ESC = '\x1b';

t.test('escape sequences go whole; the text around them stays', async (t) => {
  t.equal(forTerminal(`a${ESC}]0;pwned title${'\x07'}b`), 'ab', 'OSC window title (BEL)');
  t.equal(forTerminal(`a${ESC}]8;;https://evil.invalid${ESC}\\link${ESC}]8;;${ESC}\\b`), 'alinkb', 'OSC 8 hyperlink (ST)');
  t.equal(forTerminal(`${ESC}[2J${ESC}[Hclear${ESC}[31mred${ESC}[0m`), 'clearred', 'CSI clear screen, cursor home, colour');
  t.equal(forTerminal(`x${ESC}[?1049hy`), 'xy', 'CSI private mode (alternate screen)');
  t.equal(forTerminal(`x${ESC}P1;2|payload${ESC}\\y`), 'xy', 'DCS string');
  t.equal(forTerminal(`x${ESC}_apc${ESC}\\y`), 'xy', 'APC string');
  t.equal(forTerminal(`x${ESC}cy`), 'xy', 'RIS (full reset)');
  t.equal(forTerminal(`x${ESC}`), 'x', 'a lone ESC at the end');
  t.equal(forTerminal('x\u009b2Jy'), 'xy', '8-bit CSI');
  t.equal(forTerminal('x\u009d0;title\u009cy'), 'xy', '8-bit OSC');
  t.equal(forTerminal(`a${ESC}]0;unterminated`), 'a', 'an unterminated OSC takes the rest');
});

t.test('control characters: dropped, tabs and newlines kept only where lines allow them', async (t) => {
  t.equal(forTerminal('over\rwrite\bback\x07bell\x00nul\x7fdel\u0085nel'), 'overwritebackbellnuldelnel');
  t.equal(forTerminal('one\ntwo\tthree'), 'one two three', 'one line: newline and tab become spaces');
  t.equal(forTerminal('one\ntwo\tthree\r', { multiline: true }), 'one\ntwo\tthree', 'multiline keeps them, drops CR');
  const plain = 'ünïcödé 🚀 — "quotes" \\ {json: [1]}';
  t.equal(forTerminal(plain), plain, 'printable text, unicode included, is untouched');
});
