// No imports: the dashboard reads this without pulling in zod, like lifecycle-states.ts.

/**
 * What became of a task, as a person asks it: did the work land, and if not, what is it waiting for or why
 * did it stop. The run's exit alone says "succeeded" for a run whose merge then failed.
 */
export type TaskOutcome =
  | "queued"
  | "running"
  | "waiting"
  | "blocked"
  | "changes_requested"
  | "superseded"
  | "merging"
  | "landed"
  | "rejected"
  | "merge_conflict"
  | "failed_tests"
  | "merge_failed"
  | "abandoned"
  | "branch_moved"
  | "cancelled"
  | "interrupted"
  | "failed"
  | "no_changes"
  | "needs_input"
  | "finished";

export const TASK_OUTCOME_LABELS: Record<TaskOutcome, string> = {
  queued: "queued",
  running: "running",
  waiting: "waiting for approval",
  blocked: "blocked",
  changes_requested: "changes requested",
  // Neutral: the task's work went on in a later round, whose own run says where it stands.
  superseded: "changed in a later round",
  merging: "merging…",
  landed: "landed",
  rejected: "rejected",
  merge_conflict: "merge conflict",
  failed_tests: "failed tests",
  merge_failed: "merge failed",
  abandoned: "abandoned",
  branch_moved: "branch moved",
  cancelled: "cancelled",
  interrupted: "interrupted",
  failed: "failed",
  no_changes: "no changes",
  needs_input: "needs input",
  finished: "finished, nothing to merge",
};

/** States are strings here on purpose: a state another lifecycle adds is read by name, never a crash. */
export type TaskOutcomeInput = {
  run: { state: string; testStatus?: string | null };
  /** The run's newest merge request, if it has one. */
  mergeRequest?: {
    state: string;
    error?: string | null;
    candidateSha?: string | null;
    /** Set when a failed merge was abandoned: its work kept under refs/grove/, its branch removed. */
    snapshotRef?: string | null;
  } | null;
};

const RUN_OUTCOMES: Record<string, TaskOutcome> = {
  queued: "queued",
  preparing: "running",
  running: "running",
  testing: "running",
  cancelled: "cancelled",
  interrupted: "interrupted",
  no_changes: "no_changes",
  needs_input: "needs_input",
};

const MERGE_REQUEST_OUTCOMES: Record<string, TaskOutcome> = {
  open: "waiting",
  blocked: "blocked",
  changes_requested: "changes_requested",
  superseded: "superseded",
  approved: "merging",
  merging: "merging",
  merged: "landed",
  rejected: "rejected",
  void: "branch_moved",
};

/** The one place a task's outcome is decided: the run's state, then what its newest merge request says. */
export function taskOutcome({ run, mergeRequest }: TaskOutcomeInput): TaskOutcome {
  const byRun = Object.hasOwn(RUN_OUTCOMES, run.state) ? RUN_OUTCOMES[run.state] : undefined;
  if (byRun) return byRun;
  if (run.state === "failed") return run.testStatus === "failed" ? "failed_tests" : "failed";
  if (!mergeRequest) return run.state === "succeeded" ? "finished" : "failed";
  if (mergeRequest.state === "failed") return failedMergeOutcome(mergeRequest);
  const byRequest = Object.hasOwn(MERGE_REQUEST_OUTCOMES, mergeRequest.state)
    ? MERGE_REQUEST_OUTCOMES[mergeRequest.state]
    : undefined;
  return byRequest ?? "waiting";
}

// The hub records a red merged tree with the candidate it tested, and a conflict with git's words.
function failedMergeOutcome(mr: {
  error?: string | null;
  candidateSha?: string | null;
  snapshotRef?: string | null;
}): TaskOutcome {
  if (mr.snapshotRef) return "abandoned";
  if (mr.candidateSha) return "failed_tests";
  if (mr.error?.startsWith("Merge conflict")) return "merge_conflict";
  return "merge_failed";
}
