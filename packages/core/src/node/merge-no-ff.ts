import { DomainError } from "../errors/domain-error.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import type { MergeOutcome } from "../schemas/events.ts";
import { parseMergeTree } from "../merge/parse-merge-tree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { openRepo } from "./open-repo.ts";
import { branchSha, isSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { describeStatus, worktreeStatus } from "./worktree-status.ts";

export type MergeNoFfInput = { repo: string; into: string; branch: string; expectedHead: string; message: string };

/**
 * Merges `branch` into `into` with a merge commit, computed in the object store (merge-tree) so that no
 * working tree is touched before the result is certain and a conflict never leaves a half-merge behind.
 */
export async function mergeNoFf(input: MergeNoFfInput): Promise<MergeOutcome> {
  validateRefName(input.into);
  validateRefName(input.branch);
  if (!isSha(input.expectedHead)) throw new DomainError("INVALID_INPUT", `expectedHead "${input.expectedHead}" is not a full commit SHA.`);
  const ctx = await openRepo(input.repo);

  return withRepoLock(ctx.repo, async (): Promise<MergeOutcome> => {
    const head = await branchSha(ctx.repo, input.branch);
    if (head === null) return { kind: "refused", reason: `Branch ${input.branch} does not exist.` };
    if (head !== input.expectedHead) {
      return { kind: "refused", reason: `Branch ${input.branch} moved: it is at ${head}, the approval was for ${input.expectedHead}.` };
    }
    const old = await branchSha(ctx.repo, input.into);
    if (old === null) return { kind: "refused", reason: `Branch ${input.into} does not exist.` };

    const ancestor = await runGit(["merge-base", "--is-ancestor", head, old], { cwd: ctx.repo, okExitCodes: [0, 1] });
    // Already merged (e.g. a retried request after a crash): nothing to do, and that is a success.
    if (ancestor.exitCode === 0) return { kind: "merged", sha: old, worktreeRemoved: false, branchDeleted: false };

    const predicted = await runGit(["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", old, head], {
      cwd: ctx.repo,
      okExitCodes: [0, 1],
    });
    const { tree, conflicted } = parseMergeTree(predicted.stdout);
    if (predicted.exitCode === 1) return { kind: "conflict", files: conflicted };

    const checkout = (await listWorktrees(ctx.repo)).find((w) => w.branch === input.into && w.prunable === null && !w.bare);
    if (checkout) {
      const dirty = await worktreeStatus(checkout.path, { untracked: false });
      if (dirty.length > 0) {
        return {
          kind: "refused",
          reason: `${input.into} is checked out in ${checkout.path} with uncommitted changes; commit or stash them, then merge again:\n${describeStatus(dirty)}`,
        };
      }
    }

    const { stdout } = await runGit(["commit-tree", tree, "-p", old, "-p", head, "-F", "-"], { cwd: ctx.repo, input: input.message });
    const sha = stdout.trim();
    const reflog = `grove: merge ${input.branch} into ${input.into}`;
    const refusal = checkout
      ? await moveCheckout(checkout.path, ctx.repo, input.into, old, sha, reflog)
      : await swapBranch(ctx.repo, input.into, old, sha, reflog);
    if (refusal !== null) return { kind: "refused", reason: refusal };
    return { kind: "merged", sha, worktreeRemoved: false, branchDeleted: false };
  });
}

/**
 * Brings the checkout of `into` from old to new. The files move first: read-tree -m -u checks every path
 * before writing any (an untracked file in the way refuses the whole update), so a refusal changes nothing.
 * Only then does the branch move (compare-and-swap); if that fails, the files are moved back.
 */
async function moveCheckout(worktree: string, repo: string, into: string, old: string, sha: string, reflog: string): Promise<string | null> {
  // read-tree trusts the index's stat data; refresh it so a merely touched file does not count as changed.
  await runGit(["update-index", "-q", "--refresh"], { cwd: worktree, okExitCodes: [0, 1] });
  const moved = await runGit(["read-tree", "-m", "-u", old, sha], { cwd: worktree, okExitCodes: [0, 128] });
  if (moved.exitCode !== 0) {
    return `${into} is checked out in ${worktree} and updating its files would overwrite something there (${moved.stderr.trim().split("\n")[0] ?? ""}); nothing was changed.`;
  }
  const refusal = await swapBranch(repo, into, old, sha, reflog);
  if (refusal !== null) await runGit(["read-tree", "-m", "-u", sha, old], { cwd: worktree });
  return refusal;
}

/** Compare-and-swap of the branch: it moves only if it still points where the merge was computed from. */
async function swapBranch(repo: string, into: string, old: string, sha: string, reflog: string): Promise<string | null> {
  const swapped = await runGit(["update-ref", "-m", reflog, `refs/heads/${into}`, sha, old], { cwd: repo, okExitCodes: [0, 128] });
  return swapped.exitCode === 0 ? null : `${into} moved while the merge was being prepared; nothing was changed. Try again.`;
}
