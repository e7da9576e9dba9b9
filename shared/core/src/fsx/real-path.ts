import fs from 'node:fs';
import path from 'node:path';

/** The path with every symbolic link resolved, or undefined when it cannot be (missing, unreadable). */
export const realPathIfAny = (p: string): string | undefined => {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
};

/** The path with every symbolic link resolved, or as given (made absolute) when it cannot be. */
export const realPathOrAsIs = (p: string): string => realPathIfAny(p) ?? path.resolve(p);
