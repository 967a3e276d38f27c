import { DomainError, type TransitionRefusalCode } from "@grove/core";

/** What identifies a merge request in the audit trail. */
type AuditedMergeRequest = { id: string; runId: string; branch: string; headSha: string; run: { sessionId: string } };

/** The fields every audit event about a merge request carries; `sha` is the head the event concerns. */
export function mergeRequestAudit(mr: AuditedMergeRequest, sha: string | null = mr.headSha) {
  return { subject: mr.id, sessionId: mr.run.sessionId, runId: mr.runId, branch: mr.branch, sha };
}

/** A step the lifecycle refuses, as a person sees it: a blocked request says why it is blocked. */
export function refusalError(
  refusal: { code: TransitionRefusalCode; reason: string },
  blockedReason: string | null,
): DomainError {
  return refusal.code === "FORBIDDEN"
    ? new DomainError("FORBIDDEN", blockedReason ?? refusal.reason)
    : new DomainError("INVALID_INPUT", refusal.reason);
}
