import fs from 'node:fs';
import path from 'node:path';
import { realPathOrAsIs } from '../fsx/real-path.js';
import { runGit } from './run-git.js';


const IGNORE_ALL = '# task-manager: nothing in this directory belongs in the repository\n*\n';

/**
 * Keeps one of our own directories (worktrees, state) out of the user's `git status`
 * and `git add -A`, whatever their ignore rules. `.git/info/exclude` alone is not
 * enough: a whitelist `.gitignore` (`*` first, then `!` exceptions for directories and
 * files) takes precedence over it, and `.worktrees/<slug>` then shows as an untracked
 * embedded repository. A `.gitignore` of
 * `*` inside the directory itself is the deepest rule and wins over both. It is written
 * only into a directory in which the user tracks nothing, and never over a file (or a
 * link) already there.
 */
export const keepOutOfIndex = async (repo: string, dir: string, commonDir: string): Promise<void> => {
  const relative = path.relative(realPathOrAsIs(repo), realPathOrAsIs(dir));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return;
  const posix = relative.split(path.sep).join('/');
  const exclude = path.join(commonDir, 'info', 'exclude');
  const line = `/${posix}/`;
  const current = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : '';
  if (!current.split('\n').includes(line)) {
    fs.mkdirSync(path.dirname(exclude), { recursive: true });
    fs.appendFileSync(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}${line}\n`);
  }
  const ignoreFile = path.join(dir, '.gitignore');
  try {
    fs.lstatSync(ignoreFile);
    return;
  } catch {
    // not there yet
  }
  const tracked = await runGit(repo, ['ls-files', '--', posix]);
  if (tracked.code !== 0 || tracked.stdout !== '') return;
  try {
    // wx: never follows or replaces whatever appeared meanwhile.
    fs.writeFileSync(ignoreFile, IGNORE_ALL, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
};
