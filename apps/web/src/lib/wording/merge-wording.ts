import type { MergeRequestState } from "@grove/core/lifecycle-states";

// Read as "<branch>: <label>"; a state added in core fails the type check until it has words here.
const MERGE_STATE_LABELS: Record<MergeRequestState, string> = {
  open: "waiting for approval",
  blocked: "merge blocked",
  approved: "approved, queued to merge",
  merging: "merging",
  merged: "merged",
  rejected: "rejected",
  failed: "merge failed",
  void: "void: branch moved",
};

const isMergeRequestState = (state: string): state is MergeRequestState => Object.hasOwn(MERGE_STATE_LABELS, state);

/** A merge request's state as a badge says it (not "merge merged"); a state this client does not know, as it is. */
export function mergeStateLabel(state: string): string {
  return isMergeRequestState(state) ? MERGE_STATE_LABELS[state] : state;
}

/**
 * Who decided and what happened after: the approver approved; a failed or void merge happened to the
 * approved request, it was not the approver's doing.
 */
export function decisionSummary(request: { state: string; decidedBy: string | null }): string {
  if (!isMergeRequestState(request.state))
    return `${request.state}${request.decidedBy ? ` (decided by ${request.decidedBy})` : ""}`;
  const approved = request.decidedBy ? `Approved by ${request.decidedBy}` : "Approved";
  switch (request.state) {
    case "rejected":
      return `Rejected by ${request.decidedBy ?? "someone no longer known"}`;
    case "failed":
      return `${approved}; then the merge failed`;
    case "void":
      return request.decidedBy
        ? `${approved}; then void: the branch moved before it could merge`
        : "Void: the branch moved while waiting for approval";
    case "merged":
      return `${approved} and merged`;
    case "approved":
    case "merging":
      return approved;
    case "blocked":
      return "Blocked before review";
    case "open":
      return "Waiting for a decision";
  }
}
