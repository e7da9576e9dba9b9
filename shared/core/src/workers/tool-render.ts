/** The first line of a text, cut to `max` characters; `…` says something was left out. */
export const firstLine = (text: string, max = 160): string => {
  const body = text.trim();
  const line = (body.split('\n', 1)[0] ?? '').trimEnd();
  if (line.length > max) return `${line.slice(0, max - 1)}…`;
  return line.length < body.length ? `${line} …` : line;
};

// The argument that says what a tool call does, in the order agents' tools name it:
// a shell command, a file, a search, a place on the web, then what it is for.
const MAIN_ARGUMENTS = ['command', 'cmd', 'file_path', 'absolute_path', 'path', 'notebook_path', 'pattern', 'query', 'url', 'prompt', 'description'];

/** The tool call's main argument as one line: the command, the file path, the pattern… */
export const mainArgument = (input: unknown): string => {
  if (typeof input === 'string') return firstLine(input);
  if (typeof input !== 'object' || input === null) return '';
  const fields = input as Record<string, unknown>;
  const key = MAIN_ARGUMENTS.find((k) => typeof fields[k] === 'string' && fields[k] !== '');
  if (key) return firstLine(fields[key] as string);
  const first = Object.values(fields).find((v) => typeof v === 'string' && v !== '');
  return typeof first === 'string' ? firstLine(first) : '';
};

/** One line per tool call: `▸ Bash: npm test`. */
export const toolLine = (name: string, input: unknown): string => {
  const argument = mainArgument(input);
  return argument ? `▸ ${name}: ${argument}` : `▸ ${name}`;
};

/** Seconds with one decimal: `12.3 s`. */
export const seconds = (ms: unknown): string | undefined => (typeof ms === 'number' && Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : undefined);

/** Joins the parts that are known: `done in 1.2 s, 3 turns, $0.0123`. */
export const summary = (head: string, parts: (string | undefined)[]): string => {
  const known = parts.filter((p): p is string => p !== undefined && p !== '');
  return known.length ? `${head} ${known.join(', ')}` : head.replace(/:$/, '');
};
