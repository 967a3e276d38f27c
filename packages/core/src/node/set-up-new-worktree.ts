import { join } from "node:path";
import { isDomainError } from "../errors/domain-error.ts";
import type { NewWorktree } from "./add-new-worktree-entry.ts";
import type { CreatedWorktree } from "./create-agent-worktree.ts";
import { withLockFile } from "./lock-file.ts";
import type { RepoContext } from "./open-repo.ts";
import { clearSetUpPending, SET_UP_LOCK, SET_UP_LOCK_TIMEOUT_MS, setUpCheckedOut } from "./set-up-worktree.ts";
import { undoFailedSetUp } from "./undo-failed-set-up.ts";

/**
 * The set-up of a worktree addNewWorktree made, whose git is still checking out its files: started under the
 * repository lock, and holding the worktree's set-up lock before this returns (unless git removed the worktree first),
 * so that a second call ensuring the same worktree, once it gets the repository lock, waits for this checkout instead
 * of starting its own beside it.
 * What this call made is undone when the checkout or the rest of the set-up fails. `outsideLock` runs it in the
 * caller's context from before the repository lock: an undo takes that lock again, not as if it still held it.
 */
export async function startNewWorktreeSetUp(
  ctx: RepoContext,
  added: NewWorktree,
  outsideLock: <R>(fn: () => R) => R,
): Promise<{ settingUp: Promise<CreatedWorktree> }> {
  const { entry, gitDir, checkingOut } = added;
  const { isNewBranch: _isNewBranch, isPending: _isPending, ...worktree } = entry;
  // Settled once the set-up lock is held, or could not be taken: never later, for the undo of a failed checkout takes
  // the repository lock, which waits for the caller's own hold to end.
  let onHeldOrRefused = (): void => undefined;
  const isHeldOrRefused = new Promise<void>((resolve) => (onHeldOrRefused = resolve));
  // Nobody else knows this worktree yet: it is known to be not set up, and checked out once git exits 0.
  const setUp = async (): Promise<CreatedWorktree> => {
    onHeldOrRefused();
    try {
      await checkingOut;
      const includedFiles = await setUpCheckedOut(ctx, entry.path);
      await clearSetUpPending(entry.path, gitDir);
      return { ...worktree, resumed: false, includedFiles };
    } catch (error) {
      throw await undoFailedSetUp(ctx, entry, error);
    }
  };
  const settingUp = outsideLock(() =>
    withLockFile(join(gitDir, SET_UP_LOCK), setUp, { timeoutMs: SET_UP_LOCK_TIMEOUT_MS, what: "the worktree's set-up" }).catch(
      async (error: unknown) => {
        onHeldOrRefused();
        if (isDomainError(error)) throw error;
        // The set-up lock could not be taken: git removed the worktree's folder, its checkout failed. Undone once git ended.
        const failed = await checkingOut.then(
          () => error,
          (checkoutError: unknown) => checkoutError,
        );
        throw await undoFailedSetUp(ctx, entry, failed);
      },
    ),
  );
  // Handled here once: it may fail before the caller, still letting go of the lock, waits for it; it still rejects for them.
  settingUp.catch(() => undefined);
  await isHeldOrRefused;
  // In an object: a promise an async function returns would be waited for.
  return { settingUp };
}
