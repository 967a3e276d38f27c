import { access, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { copyWorktreeIncludes } from "./copy-worktree-includes.ts";
import type { RepoContext } from "./open-repo.ts";
import { runGit, type GitProgress } from "./run-git.ts";

// In the worktree's own git folder: never part of its files, and gone with the worktree.
export const SET_UP_PENDING_FILE = "grove-setup-pending";
// Beside it. A set-up may fetch submodules: minutes.
export const SET_UP_LOCK = "grove-setup.lock";
export const SET_UP_LOCK_TIMEOUT_MS = 15 * 60_000;

/**
 * What a new worktree needs before anything runs in it, the same for an agent's worktree and the merged-tree
 * test's: its files when it was added with --no-checkout, its submodules, then the main checkout's
 * `.worktreeinclude` files (none in the bare layout, which has no main checkout). Returns the copied paths.
 * Outside the repository lock: it may fetch over the network.
 */
export async function setUpWorktree(
  ctx: RepoContext,
  path: string,
  onProgress?: (progress: GitProgress) => void,
): Promise<string[]> {
  if (!(await isCheckedOut(path))) await checkOutWithProgress(path, onProgress);
  return setUpCheckedOut(ctx, path);
}

/** setUpWorktree of a worktree whose files are checked out: its submodules, then the `.worktreeinclude` files. */
export async function setUpCheckedOut(ctx: RepoContext, path: string): Promise<string[]> {
  if (await exists(join(path, ".gitmodules"))) {
    await runGit(["submodule", "update", "--init", "--recursive"], { cwd: path });
  }
  return ctx.isBare ? [] : copyWorktreeIncludes(ctx.repo, path);
}

/**
 * Fills a worktree added with `--no-checkout` (no index yet), reporting git's "Updating files" progress.
 * `git worktree add` checks out through a `git reset --hard` of its own that shows progress only on a
 * terminal; this is the same checkout with `--progress`. Its post-checkout hook sees HEAD as the old commit
 * where `worktree add`'s sees the null sha.
 */
export async function checkOutWithProgress(
  path: string,
  onProgress: ((progress: GitProgress) => void) | undefined,
): Promise<void> {
  const progress = onProgress ? ["--progress"] : [];
  // Repeatable: nobody was given this worktree yet, and a forced checkout of HEAD writes its files and index over
  // whatever part a run lost with the process spawner wrote.
  const options = { cwd: path, isRepeatable: true, ...(onProgress ? { onProgress } : {}) };
  await runGit(["checkout", ...progress, "--force"], options);
}

/** The worktree's own git folder, from its `.git` file, without starting git (this runs for every new worktree). */
export async function worktreeGitDir(path: string): Promise<string> {
  const dotGit = join(path, ".git");
  const pointer = await readFile(dotGit, "utf8").catch(() => null);
  const match = pointer === null ? null : /^gitdir: (.+)$/m.exec(pointer);
  return match?.[1] ? resolve(path, match[1].trim()) : dotGit;
}

/**
 * Marks a worktree grove just added as not set up yet; until setUpWorktree finished, nobody was given it.
 * `gitDir`: its worktreeGitDir, when the caller has it.
 */
export async function markSetUpPending(path: string, gitDir?: string): Promise<void> {
  await writeFile(join(gitDir ?? (await worktreeGitDir(path)), SET_UP_PENDING_FILE), "");
}

export async function isSetUpPending(path: string): Promise<boolean> {
  return exists(await pendingFile(path));
}

export async function clearSetUpPending(path: string, gitDir?: string): Promise<void> {
  await rm(join(gitDir ?? (await worktreeGitDir(path)), SET_UP_PENDING_FILE), { force: true });
}

/** Its files were checked out (git wrote its index): a worktree added with --no-checkout has none until then. */
export async function isCheckedOut(path: string): Promise<boolean> {
  return exists(join(await worktreeGitDir(path), "index"));
}

async function pendingFile(path: string): Promise<string> {
  return join(await worktreeGitDir(path), SET_UP_PENDING_FILE);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
