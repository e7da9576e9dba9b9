import fs from 'node:fs';
import { slugOfStatusFile } from '../paths/state-paths.js';

/** The file store's tasks: every slug with a status file in the state directory, sorted; none if it is missing. */
export const listSlugs = (stateDir: string): string[] => {
  let names: string[];
  try {
    names = fs.readdirSync(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const slugs: string[] = [];
  for (const name of names) {
    const slug = slugOfStatusFile(name);
    if (slug !== undefined) slugs.push(slug);
  }
  return slugs.sort();
};
