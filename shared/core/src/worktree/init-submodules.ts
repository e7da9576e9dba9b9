import fs from 'node:fs';
import path from 'node:path';
import { runGit } from './run-git.js';

export interface SubmoduleReport {
  /** Paths (relative to the worktree) now checked out. */
  initialized: string[];
  /** Paths left empty, and why. */
  missing: { path: string; reason: string }[];
}

// A local clone only: every transport but `file` is off, for the clone and anything
// it starts (the -c settings reach child gits through GIT_CONFIG_PARAMETERS).
const LOCAL_ONLY = ['-c', 'protocol.allow=never', '-c', 'protocol.file.allow=always'];

const realOrNone = (p: string): string | undefined => {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
};

const lastLine = (text: string): string => text.trim().split('\n').filter(Boolean).at(-1) ?? 'no message';

/** The git directory of the main checkout's copy of a submodule, if it has one checked out. */
const mainCopy = async (mainTop: string, subPath: string): Promise<string | undefined> => {
  const dir = path.join(mainTop, subPath);
  const real = realOrNone(dir);
  if (!real) return undefined;
  const r = await runGit(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir']);
  const [top, gitDir] = r.stdout.split('\n');
  // An empty folder is not a copy: rev-parse would answer for the superproject.
  return r.code === 0 && top === real ? gitDir : undefined;
};

/** The worktree's submodules: name and path from .gitmodules. */
const listSubmodules = async (top: string): Promise<{ name: string; path: string }[]> => {
  if (!fs.existsSync(path.join(top, '.gitmodules'))) return [];
  const r = await runGit(top, ['config', '--file', '.gitmodules', '--get-regexp', '^submodule\\..*\\.path$']);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return { name: line.slice('submodule.'.length, space - '.path'.length), path: line.slice(space + 1) };
    });
};

/**
 * Checks out the submodules of a new task worktree (recursively) from the copies the
 * main checkout already has — a local clone of `<main>/<path>`'s repository, never the
 * network. `submodule.<name>.url` is given on the command line only, so the shared
 * `.git/config` the main checkout uses is not changed. A submodule the main checkout has
 * not checked out, or whose recorded commit its copy lacks, is reported missing with
 * the reason; the worktree is still used.
 */
export const initSubmodules = async (mainTop: string, worktreeTop: string, prefix = ''): Promise<SubmoduleReport> => {
  const report: SubmoduleReport = { initialized: [], missing: [] };
  for (const sub of await listSubmodules(worktreeTop)) {
    const shown = `${prefix}${sub.path}`;
    const source = await mainCopy(mainTop, sub.path);
    if (!source) {
      report.missing.push({ path: shown, reason: `not checked out in the main checkout (${path.join(mainTop, sub.path)}); run \`git submodule update --init ${sub.path}\` there` });
      continue;
    }
    const r = await runGit(worktreeTop, [...LOCAL_ONLY, '-c', `submodule.${sub.name}.url=${source}`, 'submodule', 'update', '--init', '--', sub.path]);
    const target = path.join(worktreeTop, sub.path);
    // Checked, not trusted: `update = none` succeeds and leaves the folder empty.
    const real = realOrNone(target);
    const checkedOut = real !== undefined && (await runGit(target, ['rev-parse', '--show-toplevel'])).stdout === real;
    if (r.code !== 0 || !checkedOut) {
      report.missing.push({ path: shown, reason: r.code !== 0 ? lastLine(r.stderr) : 'git submodule update left it empty' });
      continue;
    }
    report.initialized.push(shown);
    const nested = await initSubmodules(path.join(mainTop, sub.path), target, `${shown}/`);
    report.initialized.push(...nested.initialized);
    report.missing.push(...nested.missing);
  }
  return report;
};
