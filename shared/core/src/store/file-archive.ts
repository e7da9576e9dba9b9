import fs from 'node:fs';
import path from 'node:path';
import { DIR_MODE } from '../fsx/atomic-write.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { slugPaths } from '../paths/state-paths.js';
import { readStatusIfExists } from '../status/read-status.js';
import type { StatusRecord } from '../status/schema.js';
import type { ArchiveOutcome } from './store.js';

/**
 * Moves a task's status and history into `<state dir>/archive/` under its lock, when
 * `check` finds no reason to leave it. Renames within one file system: nothing is
 * copied or lost. The status goes last: while it is there, the tools still find the task.
 */
export const archiveFiles = (stateDir: string, slug: string, check: (status: StatusRecord | undefined) => string | undefined): Promise<ArchiveOutcome> => {
  const paths = slugPaths(stateDir, slug);
  return withCriticalSection(paths.lock, () => {
    const reason = check(readStatusIfExists(paths.status));
    if (reason !== undefined) return { archived: false, moved: [], reason };
    const archive = path.join(stateDir, 'archive');
    fs.mkdirSync(archive, { recursive: true, mode: DIR_MODE });
    const files = [paths.history, paths.status].filter((f) => fs.existsSync(f));
    for (const file of files) fs.renameSync(file, path.join(archive, path.basename(file)));
    return { archived: true, moved: files.map((f) => path.basename(f)) };
  });
};
