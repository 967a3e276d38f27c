import { DomainError } from "../errors/domain-error.ts";
import { findWorktreeByPath } from "./list-worktrees.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

/** Locks the worktree at `path` with `reason`; an existing lock with another reason is replaced. */
export async function lockWorktree(repo: string, path: string, reason: string): Promise<void> {
  await withRepoLock(repo, async () => {
    const worktree = await requireWorktree(repo, path);
    if (worktree.locked === reason) return;
    if (worktree.locked !== null) await runGit(["worktree", "unlock", "--", worktree.path], { cwd: repo });
    await runGit(["worktree", "lock", "--reason", reason, "--", worktree.path], { cwd: repo });
  });
}

/** Unlocks the worktree at `path`; with `onlyReason`, only a lock of that reason (never someone else's lock). */
export async function unlockWorktree(repo: string, path: string, onlyReason?: string): Promise<void> {
  await withRepoLock(repo, async () => {
    const worktree = await requireWorktree(repo, path);
    if (worktree.locked === null) return;
    if (onlyReason !== undefined && worktree.locked !== onlyReason) return;
    await runGit(["worktree", "unlock", "--", worktree.path], { cwd: repo });
  });
}

async function requireWorktree(repo: string, path: string) {
  const worktree = await findWorktreeByPath(repo, path);
  if (!worktree) throw new DomainError("NOT_FOUND", `${path} is not a worktree of ${repo} (see \`grove worktree list\`).`);
  return worktree;
}
