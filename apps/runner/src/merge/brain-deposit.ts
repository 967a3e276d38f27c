import { describeError, parseAgentBranch, ResultSchema, type AuditStep, type MergeApproval } from "@grove/core";
import { commitBrainDeposit, type QueueCandidate, type RepoContext } from "@grove/core/node";

export type DepositRequest = {
  repo: RepoContext;
  integration: string;
  branch: string;
  headSha: string;
  runId?: string;
  sessionId?: string;
  approval: MergeApproval;
  result?: unknown;
};
type DepositReport = { deposit: { sha: string; files: string[] } | null; depositError?: string };

/**
 * The RESULT's learnings as numbered brain files in the orchestrator's own commit on top of the merge commit
 * (seed section 5, option C), built into the merge queue's candidate before it is tested: the deposit lands
 * together with its merge, in the tree that passed. No RESULT, no deposit; a failed deposit is reported, and
 * the merge lands without it, as before.
 */
export async function depositIntoCandidate(
  req: DepositRequest,
  mergeSha: string,
): Promise<{ sha: string; files: string[] } | { error: string } | null> {
  const parsed = parsedResult(req.result);
  if (!parsed) return null;
  const names = parseAgentBranch(req.branch);
  try {
    return await commitBrainDeposit(req.repo.repo, mergeSha, {
      brain: req.repo.config.brain,
      result: parsed,
      source: {
        runId: req.runId ?? "unknown",
        sessionId: req.sessionId ?? null,
        agent: names?.agent ?? "unknown",
        taskId: names?.taskId ?? "unknown",
        branch: req.branch,
        headSha: req.headSha,
        mergeSha,
        approvedBy: req.approval.kind === "auto" ? "auto (tests passed)" : req.approval.by,
        at: Date.now(),
      },
    });
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** The brain events of a merge that landed, from the deposit its candidate carried. */
export function auditDeposit(
  req: DepositRequest,
  landed: { sha: string; alreadyMerged?: boolean },
  candidate: QueueCandidate | null,
  audit: AuditStep,
): DepositReport {
  const mergeSha = landed.sha;
  if (landed.alreadyMerged) {
    audit("brain.skipped", mergeSha, { reason: "merged earlier: its deposit, if any, landed with that merge" });
    return { deposit: null };
  }
  if (candidate?.deposit) {
    audit("brain.deposited", candidate.deposit.sha, { mergeSha, files: candidate.deposit.files });
    return { deposit: candidate.deposit };
  }
  if (candidate?.depositError) {
    audit("brain.deposit_failed", mergeSha, { reason: candidate.depositError });
    return { deposit: null, depositError: candidate.depositError };
  }
  const parsed = req.result === undefined || req.result === null ? null : ResultSchema.safeParse(req.result);
  audit("brain.skipped", mergeSha, { reason: parsed ? "the RESULT is invalid" : "the run returned no RESULT" });
  return { deposit: null };
}

function parsedResult(result: unknown) {
  if (result === undefined || result === null) return null;
  const parsed = ResultSchema.safeParse(result);
  return parsed.success ? parsed.data : null;
}
