/**
 * What a runner records through the hub: the steps of its own runs and of the merges it executes. No
 * approval is among them: the hub records approvals itself, from the approver's decision in the dashboard, and
 * so an approver's "put first" in a merge queue (merge.prioritized, with who asked).
 * "merge.void" here is the runner's finding that the branch moved after the approval (the hub records only
 * the state then; see lifecycle/merge-request-transition.ts for the facts the hub audits).
 */
export const RUNNER_AUDIT_ACTIONS = [
  "worktree.created",
  "worktree.reused",
  // A review round's start: where it runs, what it kept, whether it resumed the conversation, what merging the integration branch in did.
  "round.prepared",
  "tests.ran",
  "run.ended",
  "run.interrupted",
  "session.budget_exceeded",
  "merge.queued",
  "merge.refused",
  "merge.conflict",
  "merge.void",
  "merge.tests_failed",
  "merge.completed",
  "merge.already_merged",
  "tests.merged_tree",
  "brain.skipped",
  "brain.deposited",
  "brain.already_deposited",
  "brain.deposit_failed",
  "branch.snapshot",
  "branch.deleted",
  "worktree.removed",
  "cleanup.failed",
] as const;
export type RunnerAuditAction = (typeof RUNNER_AUDIT_ACTIONS)[number];
/**
 * How a step of a run or a merge records what it did: the action, the commit it concerns (if any) and its
 * details; the caller that hands it out fills in the rest (run, session, branch).
 */
export type AuditStep<A extends string = RunnerAuditAction> = (
  action: A,
  sha: string | null | undefined,
  details?: Record<string, unknown>,
) => void;
const RUNNER_AUDIT_ACTION_SET: ReadonlySet<string> = new Set(RUNNER_AUDIT_ACTIONS);
export function isRunnerAuditAction(action: string): action is RunnerAuditAction {
  return RUNNER_AUDIT_ACTION_SET.has(action);
}
