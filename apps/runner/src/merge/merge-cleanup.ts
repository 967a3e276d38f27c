import { describeError, isDomainError, parseAgentBranch, type AuditStep } from "@grove/core";
import { branchSha, removeAgentWorktree, snapshotMergedBranch } from "@grove/core/node";
import type { Logger } from "../logger.ts";

export type CleanupReport = { worktreeRemoved: boolean; branchDeleted: boolean; snapshotRef: string | null };

/**
 * After a merge landed: keep the branch head under refs/grove/merged/, remove the worktree (leftovers the
 * agent never committed are kept under refs/grove/archive/), delete the branch, prune. Never throws.
 */
export async function cleanupMergedBranch(
  req: { repo: string; branch: string; head: string; log: Logger },
  audit: AuditStep,
): Promise<CleanupReport> {
  const none: CleanupReport = { worktreeRemoved: false, branchDeleted: false, snapshotRef: null };
  const names = parseAgentBranch(req.branch);
  if (!names) return none;
  try {
    let snapshotRef: string | null = null;
    if ((await branchSha(req.repo, req.branch)) === req.head) {
      snapshotRef = await snapshotMergedBranch(req.repo, names.agent, names.taskId, req.head);
      audit("branch.snapshot", req.head, { ref: snapshotRef });
    }
    const input = { repo: req.repo, agent: names.agent, taskId: names.taskId, deleteBranch: true };
    const removed = await removeAgentWorktree(input).catch((error: unknown) => {
      // The branch itself is merged; leftovers the agent never committed are kept as a snapshot ref.
      if (isDomainError(error) && error.code === "DIRTY_WORKTREE") return removeAgentWorktree({ ...input, force: true });
      throw error;
    });
    if (removed.removed) audit("worktree.removed", null, { leftoversRef: removed.snapshotRef, pruned: true });
    if (removed.snapshotRef)
      req.log(
        `the worktree of ${req.branch} held work never committed, which was not merged; it is kept in ${removed.snapshotRef} ` +
          `(grove archive restore ${removed.snapshotRef.replace("refs/grove/archive/", "")})`,
      );
    if (removed.branchDeleted) audit("branch.deleted", req.head, { snapshotRef });
    return { worktreeRemoved: removed.removed, branchDeleted: removed.branchDeleted, snapshotRef };
  } catch (error) {
    req.log(`merged ${req.branch}, but could not clean up: ${describeError(error)}`);
    audit("cleanup.failed", req.head, { reason: describeError(error) });
    return none;
  }
}
