import { DomainError } from "../errors/domain-error.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import type { MergeOutcome } from "../schemas/events.ts";
import { advanceBranch, checkoutRefusal } from "./advance-branch.ts";
import { buildMergeCommit } from "./build-merge-commit.ts";
import { findMergeOf, nothingToMerge } from "./land-branch.ts";
import { openRepo } from "./open-repo.ts";
import { branchSha, isSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";

export type MergeNoFfInput = { repo: string; into: string; branch: string; expectedHead: string; message: string };

/**
 * Merges `branch` into `into` with a merge commit, computed in the object store (merge-tree) so that no
 * working tree is touched before the result is certain and a conflict never leaves a half-merge behind.
 * No test gate of its own: the merge queue (landBranch) adds the merged-tree test.
 */
export async function mergeNoFf(input: MergeNoFfInput): Promise<MergeOutcome> {
  validateRefName(input.into);
  validateRefName(input.branch);
  if (!isSha(input.expectedHead))
    throw new DomainError("INVALID_INPUT", `expectedHead "${input.expectedHead}" is not a full commit SHA.`);
  const ctx = await openRepo(input.repo);

  return withRepoLock(ctx.repo, async (): Promise<MergeOutcome> => {
    const head = await branchSha(ctx.repo, input.branch);
    if (head === null) return { kind: "refused", reason: `Branch ${input.branch} does not exist.` };
    if (head !== input.expectedHead) {
      return {
        kind: "refused",
        reason: `Branch ${input.branch} moved: it is at ${head}, the approval was for ${input.expectedHead}.`,
      };
    }
    const old = await branchSha(ctx.repo, input.into);
    if (old === null) return { kind: "refused", reason: `Branch ${input.into} does not exist.` };

    const built = await buildMergeCommit(ctx.repo, old, head, input.message);
    if (built.kind === "up-to-date") {
      // A retried request: the merge commit that brought the head in. "merged" always names a merge commit.
      const landed = await findMergeOf(ctx.repo, old, head);
      if (landed !== null)
        return { kind: "merged", sha: landed, worktreeRemoved: false, branchDeleted: false, alreadyMerged: true };
      return { kind: "refused", reason: nothingToMerge(input.branch, input.into) };
    }
    if (built.kind === "conflict") return { kind: "conflict", files: built.files };

    const dirty = await checkoutRefusal(ctx.repo, input.into);
    if (dirty !== null) return { kind: "refused", reason: dirty };
    const refusal = await advanceBranch({
      repo: ctx.repo,
      into: input.into,
      old,
      sha: built.sha,
      reflog: `grove: merge ${input.branch} into ${input.into}`,
    });
    if (refusal !== null) return { kind: "refused", reason: refusal };
    return { kind: "merged", sha: built.sha, worktreeRemoved: false, branchDeleted: false };
  });
}
