import { TASK_OUTCOME_LABELS, type TaskOutcome } from "@grove/core/task-outcome";
import { StateBadge } from "./state-badge.tsx";

// A badge tone per outcome, borrowed from the lifecycle states that mean the same.
const TONE_OF: Record<TaskOutcome, string> = {
  queued: "queued",
  running: "running",
  waiting: "open",
  blocked: "blocked",
  changes_requested: "open",
  superseded: "superseded",
  merging: "merging",
  landed: "merged",
  rejected: "rejected",
  merge_conflict: "failed",
  failed_tests: "failed",
  merge_failed: "failed",
  abandoned: "cancelled",
  branch_moved: "void",
  cancelled: "cancelled",
  interrupted: "interrupted",
  failed: "failed",
  no_changes: "no_changes",
  needs_input: "needs_input",
  finished: "succeeded",
};

/** What became of a task (core's taskOutcome), not only how its run exited. */
export function OutcomeBadge({ outcome }: { outcome: TaskOutcome }) {
  return <StateBadge state={TONE_OF[outcome]} label={TASK_OUTCOME_LABELS[outcome]} />;
}
