import { realpath } from "node:fs/promises";
import { parseWorktreeList, type WorktreeInfo } from "../worktree/parse-worktree-list.ts";
import { runGit } from "./run-git.ts";

export type { WorktreeInfo };

export async function listWorktrees(repo: string): Promise<WorktreeInfo[]> {
  const { stdout } = await runGit(["worktree", "list", "--porcelain", "-z"], { cwd: repo });
  return parseWorktreeList(stdout);
}

/** Compares worktree paths the way the file system does (symlinked temp folders, trailing slashes). */
export async function isSamePath(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

export async function findWorktreeByPath(repo: string, path: string): Promise<WorktreeInfo | undefined> {
  const worktrees = await listWorktrees(repo);
  for (const worktree of worktrees) {
    if (await isSamePath(worktree.path, path)) return worktree;
  }
  return undefined;
}
