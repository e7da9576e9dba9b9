import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConflictError } from '../errors/errors.js';
import { DIR_MODE, writeFileAtomic } from '../fsx/atomic-write.js';
import { withCriticalSection } from '../lock/critical-section.js';
import { slugPaths } from '../paths/state-paths.js';
import { deriveDispatchState, isHolding } from '../status/dispatch-state.js';
import { readStatusIfExists } from '../status/read-status.js';
import type { RunSpec } from '../status/schema.js';
import { nowIso } from '../time/clock.js';
import { holderDetails } from './holder.js';

/** Who holds a worktree: the chain (state dir, slug, fence) whose status says so. */
export interface WorktreeClaim {
  state_dir: string;
  slug: string;
  fence: number;
  worktree: string;
  claimed_at: string;
}

/** The repository's shared git directory: one place that every state directory sees. */
const gitCommonDir = (repo: string): string => {
  const dotGit = path.join(repo, '.git');
  if (fs.statSync(dotGit, { throwIfNoEntry: false })?.isDirectory()) return dotGit;
  const out = execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return path.resolve(repo, out.trim());
};

export const worktreeClaimPath = (spec: Pick<RunSpec, 'repo' | 'worktree'>): string => {
  const key = createHash('sha256').update(path.resolve(spec.worktree)).digest('hex').slice(0, 16);
  return path.join(gitCommonDir(spec.repo), 'task-manager', 'worktree-claims', `${path.basename(spec.worktree)}-${key}.json`);
};

const readClaim = (file: string): WorktreeClaim | undefined => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as WorktreeClaim;
  } catch {
    return undefined; // none yet, or torn by a crash: its writer's status decides below
  }
};

/**
 * The state directory guards a task only among tools that use the same one; the
 * worktree is what two workers must never share. So a claim also records itself in
 * the repository's git directory, keyed by the worktree's path, and a claim from
 * another state directory is refused while the chain recorded there is live (judged
 * by its status, with the usual identity-based liveness, and the fence it claimed).
 */
export const claimWorktree = async (spec: RunSpec, mine: { stateDir: string; slug: string; fence: number }): Promise<void> => {
  const file = worktreeClaimPath(spec);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DIR_MODE });
  await withCriticalSection(`${file}.lock`, (section) => {
    const held = readClaim(file);
    const stateDir = path.resolve(mine.stateDir);
    if (held && path.resolve(held.state_dir) !== stateDir && typeof held.slug === 'string') {
      let status;
      try {
        status = readStatusIfExists(slugPaths(held.state_dir, held.slug).status);
      } catch (error) {
        throw new ConflictError(`task ${mine.slug}: worktree ${spec.worktree} is claimed from state directory ${held.state_dir}, whose status cannot be read (${(error as Error).message})`, { slug: mine.slug, holder_state_dir: held.state_dir });
      }
      const state = status && status.fence === held.fence ? deriveDispatchState(status) : undefined;
      if (status && isHolding(state)) {
        const holder = holderDetails(status, state);
        throw new ConflictError(
          `task ${mine.slug}: worktree ${spec.worktree} already has ${state === 'orphaned' ? 'an orphaned worker' : 'a live worker'} started from state directory ${held.state_dir} ` +
            `(supervisor pid ${holder.supervisor_pid ?? '-'}, worker pid ${holder.worker_pid ?? '-'}, run ${holder.run_id}); ` +
            `use --state-dir ${held.state_dir} (or TASK_MANAGER_STATE_DIR) to follow or continue it`,
          { slug: mine.slug, holder: { ...holder, state_dir: held.state_dir } },
        );
      }
    }
    section.assertHeld();
    const claim: WorktreeClaim = { state_dir: stateDir, slug: mine.slug, fence: mine.fence, worktree: path.resolve(spec.worktree), claimed_at: nowIso() };
    writeFileAtomic(file, `${JSON.stringify(claim)}\n`, { trackedCheck: false });
  });
};
