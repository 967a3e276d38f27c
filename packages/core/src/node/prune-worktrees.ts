import { access } from "node:fs/promises";
import type { WorktreeInfo } from "../worktree/parse-worktree-list.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { openRepo } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

export type PruneResult = { pruned: WorktreeInfo[]; keptLocked: WorktreeInfo[]; dryRun: boolean };

/**
 * `git worktree prune`: forgets worktrees whose folder is gone. Locked entries are kept (git's lock means
 * "on a drive that is not mounted right now"); they are reported so the user can unlock them.
 */
export async function pruneWorktrees(input: { repo: string; dryRun?: boolean }): Promise<PruneResult> {
  const ctx = await openRepo(input.repo);
  const dryRun = input.dryRun ?? false;
  return withRepoLock(ctx.repo, async () => {
    const worktrees = (await listWorktrees(ctx.repo)).slice(1);
    const pruned = worktrees.filter((w) => w.prunable !== null);
    // git never calls a locked entry prunable, even when its folder is gone.
    const keptLocked: WorktreeInfo[] = [];
    for (const w of worktrees) if (w.locked !== null && !(await exists(w.path))) keptLocked.push(w);
    if (!dryRun) await runGit(["worktree", "prune"], { cwd: ctx.repo });
    return { pruned, keptLocked, dryRun };
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
