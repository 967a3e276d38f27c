import { access, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { copyWorktreeIncludes } from "./copy-worktree-includes.ts";
import type { RepoContext } from "./open-repo.ts";
import { runGit } from "./run-git.ts";

// In the worktree's own git folder: never part of its files, and gone with the worktree.
const PENDING_FILE = "grove-setup-pending";

/**
 * What a new worktree needs before anything runs in it, the same for an agent's worktree and the merged-tree
 * test's: its submodules, then the main checkout's `.worktreeinclude` files (none in the bare layout, which
 * has no main checkout). Returns the copied paths. Outside the repository lock: it may fetch over the network.
 */
export async function setUpWorktree(ctx: RepoContext, path: string): Promise<string[]> {
  if (await exists(join(path, ".gitmodules"))) {
    await runGit(["submodule", "update", "--init", "--recursive"], { cwd: path });
  }
  return ctx.isBare ? [] : copyWorktreeIncludes(ctx.repo, path);
}

/** Marks a worktree grove just added as not set up yet; until setUpWorktree finished, nobody was given it. */
export async function markSetUpPending(path: string): Promise<void> {
  await writeFile(await pendingFile(path), "");
}

export async function isSetUpPending(path: string): Promise<boolean> {
  return exists(await pendingFile(path));
}

export async function clearSetUpPending(path: string): Promise<void> {
  await rm(await pendingFile(path), { force: true });
}

async function pendingFile(path: string): Promise<string> {
  const { stdout } = await runGit(["rev-parse", "--absolute-git-dir"], { cwd: path });
  return join(stdout.trim(), PENDING_FILE);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
