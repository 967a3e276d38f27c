import type { MergeApproval, MergeOutcome } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { hostname } from "node:os";
import { landAgentBranch, type LandDeps } from "./land-agent-branch.ts";
import { MergeWithdrawnError } from "./merge-withdraw.ts";
import { savePendingMerge, type PendingMerge } from "./pending-merges.ts";

export type LandPendingDeps = Pick<LandDeps, "queue" | "leases" | "audit" | "log"> & {
  dataDir: string;
  /** The session was asked to stop: checked again just before the merge enters the queue (see below). */
  aborted?: () => boolean;
};

/**
 * Lands a headless merge request through the merge queue (merged-tree test, compare-and-swap, brain
 * deposit, cleanup) and records what happened on the request: merged, or failed with the outcome; null when
 * it was withdrawn from the queue before it landed (the request waits again, as `merge` was).
 */
export async function landPendingMerge(
  deps: LandPendingDeps,
  merge: PendingMerge,
  approval: MergeApproval,
): Promise<MergeOutcome | null> {
  const decided = {
    ...merge,
    state: "merging" as const,
    landing: { pid: process.pid, host: hostname() },
    decidedBy: approval.by,
    decidedAt: Date.now(),
    ...(approval.comment ? { comment: approval.comment } : {}),
  };
  await savePendingMerge(deps.dataDir, decided);
  const repo = await openRepo(merge.repo);
  // A stop that came while this request was being written never found it in the queue to withdraw: it must
  // not enter the queue now (nothing was approved or queued in the audit yet; it waits for a decision again).
  if (deps.aborted?.()) {
    await savePendingMerge(deps.dataDir, merge);
    return null;
  }
  const landed = landAgentBranch(
    { queue: deps.queue, leases: deps.leases, audit: deps.audit, log: deps.log },
    {
      repo,
      integration: merge.integration,
      branch: merge.branch,
      headSha: merge.headSha,
      runId: merge.runId,
      sessionId: merge.sessionId,
      approval,
      result: merge.result ?? undefined,
    },
  );
  const outcome = await landed.catch((error: unknown) => {
    if (error instanceof MergeWithdrawnError) return null;
    throw error;
  });
  if (outcome === null) {
    // Taken out of the queue before it landed (the session was asked to stop): it waits for a decision again,
    // and the audit trail, which has its approval and queueing, says so.
    await savePendingMerge(deps.dataDir, merge);
    deps.audit({
      action: "merge.approval_withdrawn",
      subject: merge.branch,
      branch: merge.branch,
      sessionId: merge.sessionId,
      runId: merge.runId,
      sha: merge.headSha,
      details: {
        reason: "asked to stop before the merge started: nothing was merged, and the request waits for approval again",
        approval: approval.kind,
        approvedBy: approval.by,
        into: merge.integration,
        branchKept: true,
      },
    });
    return null;
  }
  await savePendingMerge(deps.dataDir, {
    ...decided,
    landing: undefined,
    state: outcome.kind === "merged" ? "merged" : "failed",
    outcome,
  });
  return outcome;
}
