/** Parses a line that may be an agent event; anything else (stderr text, logs) is undefined. */
export const jsonLine = (line: string): Record<string, unknown> | undefined => {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
};
