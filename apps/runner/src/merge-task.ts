import { isDomainError, parseAgentBranch, type MergeExecute, type MergeOutcome } from "@grove/core";
import { mergeNoFf, removeAgentWorktree } from "@grove/core/node";
import { describeError, type Logger } from "./hub-socket.ts";
import type { HubOutbox } from "./hub-outbox.ts";

export type MergeDeps = { hub: HubOutbox; log: Logger };

/**
 * Merges an approved agent branch `--no-ff` at the approved head; on success removes its worktree and
 * deletes the branch (merged, so nothing is lost). A conflict or refusal keeps both. Never throws.
 */
export async function executeMerge(deps: MergeDeps, repo: string, req: MergeExecute): Promise<MergeOutcome> {
  const audit = (action: string, sha: string | undefined, details: Record<string, unknown>) =>
    void deps.hub.send("audit:record", {
      action,
      subject: req.branch,
      runId: req.runId,
      branch: req.branch,
      ...(sha ? { sha } : {}),
      details: { ...details, mergeRequestId: req.mergeRequestId, into: req.integration },
    });

  let outcome: MergeOutcome;
  try {
    outcome = await mergeNoFf({ repo, into: req.integration, branch: req.branch, expectedHead: req.headSha, message: req.message });
  } catch (error) {
    outcome = { kind: "refused", reason: isDomainError(error) ? error.message : `unexpected error: ${describeError(error)}` };
  }

  switch (outcome.kind) {
    case "merged": {
      audit("merge.completed", outcome.sha, { headSha: req.headSha });
      const cleanup = await cleanUp(deps, repo, req);
      outcome = { ...outcome, worktreeRemoved: cleanup.removed, branchDeleted: cleanup.branchDeleted };
      if (cleanup.removed) audit("worktree.removed", undefined, { path: req.worktreePath, snapshotRef: cleanup.snapshotRef });
      if (cleanup.branchDeleted) audit("branch.deleted", req.headSha, {});
      break;
    }
    case "conflict":
      audit("merge.conflict", req.headSha, { files: outcome.files.slice(0, 500) });
      break;
    case "refused":
      audit("merge.refused", req.headSha, { reason: outcome.reason });
      break;
  }
  void deps.hub.send("merge:result", { mergeRequestId: req.mergeRequestId, outcome });
  return outcome;
}

async function cleanUp(deps: MergeDeps, repo: string, req: MergeExecute) {
  const none = { removed: false, branchDeleted: false, snapshotRef: null };
  const parsed = parseAgentBranch(req.branch);
  if (!parsed) return none;
  const input = { repo, agent: parsed.agent, taskId: parsed.taskId, deleteBranch: true };
  try {
    return await removeAgentWorktree(input);
  } catch (error) {
    if (isDomainError(error) && error.code === "DIRTY_WORKTREE") {
      // The branch itself is merged; leftovers the agent never committed are kept as a snapshot ref.
      return removeAgentWorktree({ ...input, force: true }).catch((forced: unknown) => {
        deps.log(`merged ${req.branch}, but could not remove its worktree: ${describeError(forced)}`);
        return none;
      });
    }
    deps.log(`merged ${req.branch}, but could not clean up: ${describeError(error)}`);
    return none;
  }
}
