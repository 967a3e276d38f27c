import type { WorktreeInfo } from "../worktree/parse-worktree-list.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { branchSha } from "./refs.ts";
import { isLockContention, isLostGit, runGit } from "./run-git.ts";
import { describeStatus, worktreeStatus } from "./worktree-status.ts";

export type AdvanceInput = {
  repo: string;
  into: string;
  old: string;
  sha: string;
  reflog: string;
  /** The merge queue's lease fence (queue-fence.ts): the branch moves only while git still has this one. */
  fence?: { ref: string; sha: string };
};

/** The live checkout that has `branch` checked out (typically the user's main checkout), if any. */
export async function findCheckout(repo: string, branch: string): Promise<WorktreeInfo | undefined> {
  return (await listWorktrees(repo)).find((w) => w.branch === branch && w.prunable === null && !w.bare);
}

/** Why the checkout of `into` may not be moved (uncommitted changes to tracked files), or null. */
export async function checkoutRefusal(repo: string, into: string): Promise<string | null> {
  const checkout = await findCheckout(repo, into);
  if (!checkout) return null;
  const dirty = await worktreeStatus(checkout.path, { untracked: false });
  if (dirty.length === 0) return null;
  return `${into} is checked out in ${checkout.path} with uncommitted changes; commit or stash them, then merge again (nothing was changed):\n${describeStatus(dirty)}`;
}

/**
 * Moves `into` from `old` to `sha` atomically (compare-and-swap) and brings a clean checkout of it along.
 * A dirty checkout, or an untracked file the new commit would overwrite, refuses and changes nothing.
 * Returns the refusal, or null once the branch moved. The caller holds the repository lock.
 */
export async function advanceBranch(input: AdvanceInput): Promise<string | null> {
  const refusal = await checkoutRefusal(input.repo, input.into);
  if (refusal !== null) return refusal;
  const checkout = await findCheckout(input.repo, input.into);
  return checkout ? moveCheckout(checkout.path, input) : swapBranch(input);
}

/**
 * The files move first: read-tree -m -u checks every path before writing any (an untracked file in the
 * way refuses the whole update), so a refusal changes nothing. Only then does the branch move; if that
 * compare-and-swap fails, or fails to say what it did, and the branch is not at `sha`, the files are moved back:
 * the checkout never holds a merge its branch does not (staged changes the user would be told to commit).
 */
async function moveCheckout(worktree: string, input: AdvanceInput): Promise<string | null> {
  // read-tree trusts the index's stat data; refresh it so a merely touched file does not count as changed.
  // Both are repeatable when lost with the process spawner: a second run to the same trees does what the first did.
  await runGit(["update-index", "-q", "--refresh"], { cwd: worktree, okExitCodes: [0, 1], isRepeatable: true });
  const moved = await runGit(["read-tree", "-m", "-u", input.old, input.sha], {
    cwd: worktree,
    okExitCodes: [0, 128],
    isRepeatable: true,
  });
  if (moved.exitCode !== 0) {
    const why = moved.stderr.trim().split("\n")[0] ?? "";
    return `${input.into} is checked out in ${worktree} and updating its files would overwrite something there (${why}); nothing was changed.`;
  }
  const refusal = await swapBranch(input).catch(async (error: unknown) => {
    if ((await branchSha(input.repo, input.into)) === input.sha) return null;
    await moveFilesBack(worktree, input);
    throw error;
  });
  if (refusal !== null) await moveFilesBack(worktree, input);
  return refusal;
}

function moveFilesBack(worktree: string, input: AdvanceInput): Promise<unknown> {
  return runGit(["read-tree", "-m", "-u", input.sha, input.old], { cwd: worktree, isRepeatable: true });
}

/**
 * Compare-and-swap of the branch: it moves only if it still points where the merge was computed from, and (with
 * a fence) only if the fence is still the caller's, both checked in one ref transaction. Lost with the process
 * spawner, the swap may have landed or not, its git perhaps still running: it is run again (git's ref lock makes
 * that wait for the first), and a branch then at `sha` has moved, by either.
 */
async function swapBranch(input: AdvanceInput): Promise<string | null> {
  const update = `update refs/heads/${input.into} ${input.sha} ${input.old}\n`;
  const swap = () =>
    runGit(["update-ref", "-m", input.reflog, "--stdin"], {
      cwd: input.repo,
      input: input.fence ? `verify ${input.fence.ref} ${input.fence.sha}\n${update}` : update,
      okExitCodes: [0, 128],
    });
  let isLost = false;
  const swapped = await swap().catch((error: unknown) => {
    if (!isLostGit(error)) throw error;
    isLost = true;
    return swap();
  });
  if (swapped.exitCode === 0) return null;
  if (isLost && (await branchSha(input.repo, input.into)) === input.sha) return null;
  // Still locked once runGit's retries ran out: a git holds the lock, or died holding it (git names the file).
  if (isLockContention(swapped.stderr))
    return `${input.into} could not be moved: ${swapped.stderr.trim().split("\n")[0] ?? ""}; nothing was changed.`;
  return `${input.into} moved while the merge was being prepared; nothing was changed. Try again.`;
}
