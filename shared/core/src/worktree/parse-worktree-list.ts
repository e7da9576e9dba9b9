/** One block of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** refs/heads/…, or null when detached (or bare). */
  branch: string | null;
  prunable: boolean;
  locked: boolean;
}

export const parseWorktreeList = (porcelain: string): WorktreeEntry[] => {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of porcelain.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), head: null, branch: null, prunable: false, locked: false };
      entries.push(current);
    } else if (current && line.startsWith('HEAD ')) current.head = line.slice('HEAD '.length);
    else if (current && line.startsWith('branch ')) current.branch = line.slice('branch '.length);
    else if (current && (line === 'prunable' || line.startsWith('prunable '))) current.prunable = true;
    else if (current && (line === 'locked' || line.startsWith('locked '))) current.locked = true;
  }
  return entries;
};
