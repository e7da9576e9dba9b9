/**
 * Text from outside (an agent's error, a prompt, a log line, a bad NDJSON line, a file
 * name) made safe to print on a terminal: escape sequences (CSI such as clear screen,
 * OSC such as a window title or a hyperlink, DCS/APC strings, their 8-bit C1 forms) are
 * removed whole, and every other control character is dropped. Only what a person
 * reads goes through here; NDJSON records keep the data as it was (JSON escapes it).
 */

// Ordered: the longer forms first, so a CSI is not cut after its ESC '['.
const SEQUENCE = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]', // CSI ... final
    '\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)?', // OSC ... BEL or ST (or the end of the text)
    '\\x1b[PX^_][^\\x1b]*(?:\\x1b\\\\)?', // DCS, SOS, PM, APC ... ST
    '\\x1b[ -/]*[0-~]?', // any other ESC sequence (or a lone ESC)
    '\\x9b[0-?]*[ -/]*[@-~]', // 8-bit CSI
    '\\x9d[^\\x07\\x9c\\x1b]*(?:\\x07|\\x9c)?', // 8-bit OSC
    '[\\x90\\x98\\x9e\\x9f][^\\x9c\\x1b]*\\x9c?', // 8-bit DCS, SOS, PM, APC
  ].join('|'),
  'g',
);
// C0 but tab and newline, DEL, C1.
const CONTROL_EXCEPT_TAB_NEWLINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const ANY_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

export interface TerminalTextOptions {
  /** Keep newlines and tabs (a log shown as it is); otherwise each becomes a space (a table cell, a one-line message). */
  multiline?: boolean;
}

export const forTerminal = (text: string, options: TerminalTextOptions = {}): string => {
  // Most text has no control character at all: one scan, no copy.
  const clean = ANY_CONTROL.test(text) ? text.replace(SEQUENCE, '').replace(CONTROL_EXCEPT_TAB_NEWLINE, '') : text;
  return options.multiline ? clean : clean.replace(/[\t\n]/g, ' ');
};
