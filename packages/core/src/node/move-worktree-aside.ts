import { rm } from "node:fs/promises";
import { join } from "node:path";
import { runGit } from "./run-git.ts";
import { deleteFromTrash, moveToTrash, sweepTrash } from "./worktree-trash.ts";

/** Work that must wait until the repository lock is released; run by whoever took the lock, also after a failure. */
export type AfterLock = (() => Promise<void>)[];

/**
 * Unregisters the (unlocked) worktree at `path` in a time that does not grow with its file count, so that
 * it can be done under the repository lock: its folder is renamed into the repository's trash and
 * `git worktree prune` forgets it. Deleting the files is queued on `afterLock`. A folder that cannot be
 * renamed there (another file system) is removed in place by git, as before. `alongside` runs once the folder is
 * gone (see alongPrune).
 *
 * A crash in between leaves either an entry whose folder is gone (pruned by the next remove, create,
 * prune or doctor) or a trash entry of a dead process (deleted by the next sweep, reported by doctor).
 */
export async function moveWorktreeAside(
  o: { repo: string; commonDir: string; path: string; force: boolean },
  afterLock: AfterLock,
  alongside?: () => Promise<void>,
): Promise<void> {
  const entry = await moveToTrash(o.commonDir, o.path);
  if (entry === null) {
    await runGit(["worktree", "remove", ...(o.force ? ["--force"] : []), "--", o.path], { cwd: o.repo });
    await alongside?.();
    return;
  }
  afterLock.push(() => deleteFromTrash(entry));
  // Its .git file names the worktree's admin folder, which git may hand to the next worktree added:
  // a process still running in the moved folder must not reach that one.
  await rm(join(entry, ".git"), { force: true });
  await alongPrune(o.repo, alongside);
}

/**
 * `git worktree prune`, and `alongside` (work that only needed the worktree's folder gone, such as deleting its
 * branch) at the same time: one git process less to wait for. Both have ended when this returns; the prune's
 * failure is thrown first.
 */
export async function alongPrune(repo: string, alongside: (() => Promise<void>) | undefined): Promise<void> {
  const [pruned, done] = await Promise.allSettled([runGit(["worktree", "prune"], { cwd: repo }), alongside?.()]);
  if (pruned.status === "rejected") throw pruned.reason;
  if (done.status === "rejected") throw done.reason;
}

/** Deletes what was moved aside under the lock, then what earlier removals left in the trash. */
export async function runAfterLock(commonDir: string, afterLock: AfterLock): Promise<void> {
  for (const work of afterLock.splice(0)) await work();
  await sweepTrash(commonDir);
}
