import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isInside, listProcesses } from "./process-table.ts";
import { worktreeGitDir } from "./set-up-worktree.ts";

/**
 * Before finishing the set-up of a worktree nobody was given (its set-up lock held by this call): an `index.lock`
 * in its git folder that no live process working there holds is one a git killed with its grove process left
 * mid-checkout, and would fail the checkout. Removed only when the process table shows no process in the worktree
 * or its git folder (without /proc, left for git to report). True when it removed one.
 */
export async function removeStaleIndexLock(path: string): Promise<boolean> {
  const gitDir = await worktreeGitDir(path);
  const lock = join(gitDir, "index.lock");
  if ((await stat(lock).catch(() => null)) === null) return false;
  const processes = await listProcesses();
  if (processes === null) return false;
  const isBusy = processes.some(
    (p) => p.pid !== process.pid && p.cwd !== null && (isInside(p.cwd, path) || isInside(p.cwd, gitDir)),
  );
  if (isBusy) return false;
  await rm(lock, { force: true });
  return true;
}
