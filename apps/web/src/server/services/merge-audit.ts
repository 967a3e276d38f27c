/** What identifies a merge request in the audit trail. */
type AuditedMergeRequest = { id: string; runId: string; branch: string; headSha: string; run: { sessionId: string } };

/** The fields every audit event about a merge request carries; `sha` is the head the event concerns. */
export function mergeRequestAudit(mr: AuditedMergeRequest, sha: string | null = mr.headSha) {
  return { subject: mr.id, sessionId: mr.run.sessionId, runId: mr.runId, branch: mr.branch, sha };
}
