import type { AuditStep, MergeOutcome } from "@grove/core";
import type { QueueCandidate } from "@grove/core/node";
import { auditDeposit } from "./brain-deposit.ts";
import type { LandAuditAction, LandDeps, LandRequest } from "./land-agent-branch.ts";
import { cleanupMergedBranch } from "./merge-cleanup.ts";

/**
 * What follows the merge attempt: each outcome's audit events, and for a merge that landed, the report of
 * the brain deposit its candidate carried and the cleanup of the branch and its worktree.
 */
export async function finishLanding(
  deps: LandDeps,
  req: LandRequest,
  outcome: MergeOutcome,
  candidate: QueueCandidate | null,
  audit: AuditStep<LandAuditAction>,
): Promise<MergeOutcome> {
  switch (outcome.kind) {
    case "merged": {
      const test = outcome.mergedTreeTest;
      if (test?.command)
        audit("tests.merged_tree", outcome.sha, {
          status: test.status,
          exitCode: test.exitCode,
          durationMs: test.durationMs,
          command: test.command,
        });
      if (outcome.alreadyMerged) audit("merge.already_merged", outcome.sha, { headSha: req.headSha });
      else
        audit("merge.completed", outcome.sha, {
          headSha: req.headSha,
          commits: outcome.commits ?? [],
          mergedTreeTest: test?.status ?? "skipped",
        });
      deps.onStage?.("depositing");
      // The deposit was built into the tested candidate and landed with the merge; here it is only recorded.
      const deposit = auditDeposit(req, outcome, candidate, audit);
      deps.onStage?.("cleaning");
      const cleanup = await cleanupMergedBranch(
        { repo: req.repo.repo, branch: req.branch, head: req.headSha, log: deps.log },
        audit,
      );
      return { ...outcome, ...deposit, ...cleanup };
    }
    case "conflict":
      audit("merge.conflict", req.headSha, { files: outcome.files.slice(0, 500), branchKept: true });
      return outcome;
    case "tests_failed":
      audit("tests.merged_tree", outcome.candidateSha, {
        status: "failed",
        exitCode: outcome.test.exitCode,
        durationMs: outcome.test.durationMs,
        command: outcome.test.command,
      });
      audit("merge.tests_failed", req.headSha, {
        candidateSha: outcome.candidateSha,
        integrationSha: outcome.integrationSha,
        outputTail: outcome.test.outputTail.slice(-2000),
        branchKept: true,
      });
      return outcome;
    case "moved":
      audit("merge.void", req.headSha, {
        reason: "the branch moved after the approval",
        headSha: outcome.headSha,
        branchKept: true,
      });
      return outcome;
    case "refused":
      audit("merge.refused", req.headSha, { reason: outcome.reason, branchKept: true });
      return outcome;
  }
}
