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
 * renamed there (another file system) is removed in place by git, as before.
 *
 * A crash in between leaves either an entry whose folder is gone (pruned by the next remove, create,
 * prune or doctor) or a trash entry of a dead process (deleted by the next sweep, reported by doctor).
 */
export async function moveWorktreeAside(
  o: { repo: string; commonDir: string; path: string; force: boolean },
  afterLock: AfterLock,
): Promise<void> {
  const entry = await moveToTrash(o.commonDir, o.path);
  if (entry === null) {
    await runGit(["worktree", "remove", ...(o.force ? ["--force"] : []), "--", o.path], { cwd: o.repo });
    return;
  }
  afterLock.push(() => deleteFromTrash(entry));
  // Its .git file names the worktree's admin folder, which git may hand to the next worktree added:
  // a process still running in the moved folder must not reach that one.
  await rm(join(entry, ".git"), { force: true });
  await runGit(["worktree", "prune"], { cwd: o.repo });
}

/** Deletes what was moved aside under the lock, then what earlier removals left in the trash. */
export async function runAfterLock(commonDir: string, afterLock: AfterLock): Promise<void> {
  for (const work of afterLock.splice(0)) await work();
  await sweepTrash(commonDir);
}
