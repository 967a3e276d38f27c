import { describeError, parseAgentBranch, ResultSchema, type AuditStep, type MergeApproval } from "@grove/core";
import { depositBrain, type RepoContext } from "@grove/core/node";

export type DepositRequest = {
  repo: RepoContext;
  integration: string;
  branch: string;
  headSha: string;
  mergeSha: string;
  runId?: string;
  sessionId?: string;
  approval: MergeApproval;
  result?: unknown;
};
type DepositReport = { deposit: { sha: string; files: string[] } | null; depositError?: string };

/**
 * After a merge landed: the RESULT's learnings become numbered brain files in the orchestrator's own
 * commit (seed section 5, option C). No RESULT, no deposit; a refused deposit is reported, never thrown.
 */
export async function depositLearnings(req: DepositRequest, audit: AuditStep): Promise<DepositReport> {
  const parsed = req.result === undefined || req.result === null ? null : ResultSchema.safeParse(req.result);
  if (!parsed?.success) {
    const reason = parsed ? "the RESULT is invalid" : "the run returned no RESULT";
    audit("brain.skipped", req.mergeSha, { reason });
    return { deposit: null };
  }
  const names = parseAgentBranch(req.branch);
  try {
    const outcome = await depositBrain({
      repo: req.repo.repo,
      into: req.integration,
      brain: req.repo.config.brain,
      result: parsed.data,
      source: {
        runId: req.runId ?? "unknown",
        sessionId: req.sessionId ?? null,
        agent: names?.agent ?? "unknown",
        taskId: names?.taskId ?? "unknown",
        branch: req.branch,
        headSha: req.headSha,
        mergeSha: req.mergeSha,
        approvedBy: req.approval.kind === "auto" ? "auto (tests passed)" : req.approval.by,
        at: Date.now(),
      },
    });
    if (outcome.kind === "deposited") {
      audit(outcome.isRepeat ? "brain.already_deposited" : "brain.deposited", outcome.sha, {
        mergeSha: req.mergeSha,
        files: outcome.files,
      });
      return { deposit: { sha: outcome.sha, files: outcome.files } };
    }
    audit("brain.deposit_failed", req.mergeSha, { reason: outcome.reason });
    return { deposit: null, depositError: outcome.reason };
  } catch (error) {
    const reason = describeError(error);
    audit("brain.deposit_failed", req.mergeSha, { reason });
    return { deposit: null, depositError: reason };
  }
}
