/**
 * What a doctor finding asks of someone. A warm merge tree is kept on purpose and a merge test still running
 * ends by itself: both are listed (with their size, with a way to free the space) but are no problem, so they
 * neither fail `grove doctor` nor show as something a person must see to. Shared by the CLI and Health.
 */
export type FindingUrgency = "safe fix" | "needs a person" | "nothing to do";

export function findingUrgency(finding: { kind: string; isSafeToFix: boolean }): FindingUrgency {
  if (finding.isSafeToFix) return "safe fix";
  if (finding.kind === "warm-merge-tree" || finding.kind === "merge-test-worktree") return "nothing to do";
  return "needs a person";
}
