import { describe, expect, it } from "vitest";
import { MERGE_REQUEST_STATES, RUN_STATES } from "./lifecycle-states.ts";
import { TASK_OUTCOME_LABELS, taskOutcome, type TaskOutcome } from "./task-outcome.ts";

// States other lifecycles add at the same time (review rounds, "no changes"/"needs input"), by name.
const ALL_RUN_STATES = [...new Set<string>([...RUN_STATES, "no_changes", "needs_input"])];
const ALL_REQUEST_STATES = [...MERGE_REQUEST_STATES, "changes_requested"];

const BY_RUN_ALONE: Record<string, TaskOutcome> = {
  queued: "queued",
  preparing: "running",
  running: "running",
  testing: "running",
  failed: "failed",
  interrupted: "interrupted",
  cancelled: "cancelled",
  no_changes: "no_changes",
  needs_input: "needs_input",
};

const BY_REQUEST: Record<string, TaskOutcome> = {
  open: "waiting",
  blocked: "blocked",
  changes_requested: "changes_requested",
  superseded: "superseded",
  approved: "merging",
  merging: "merging",
  merged: "landed",
  rejected: "rejected",
  failed: "merge_failed",
  void: "branch_moved",
};

describe("taskOutcome", () => {
  it("covers every run state with every merge request state (and none)", () => {
    for (const runState of ALL_RUN_STATES) {
      for (const requestState of [null, ...ALL_REQUEST_STATES]) {
        const got = taskOutcome({ run: { state: runState }, mergeRequest: requestState ? { state: requestState } : null });
        const expected = BY_RUN_ALONE[runState] ?? (requestState === null ? "finished" : (BY_REQUEST[requestState] ?? "waiting"));
        expect({ runState, requestState, got }).toEqual({ runState, requestState, got: expected });
        expect(TASK_OUTCOME_LABELS[got]).toBeTruthy();
      }
    }
  });

  it("says which way a merge failed: conflict, red merged tree, or refused", () => {
    const run = { state: "succeeded" };
    const failed = (error: string | null, candidateSha: string | null = null) =>
      taskOutcome({ run, mergeRequest: { state: "failed", error, candidateSha } });
    expect(failed("Merge conflict in a.txt; main did not move. The branch is kept.")).toBe("merge_conflict");
    expect(failed("The tests failed on the merged tree …", "a".repeat(40))).toBe("failed_tests");
    expect(failed("The integration branch moved. The branch is kept.")).toBe("merge_failed");
    expect(failed(null)).toBe("merge_failed");
  });

  it("reads a superseded round as changed in a later round, not as waiting for approval", () => {
    const outcome = taskOutcome({ run: { state: "succeeded" }, mergeRequest: { state: "superseded" } });
    expect(outcome).toBe("superseded");
    expect(TASK_OUTCOME_LABELS[outcome]).toBe("changed in a later round");
  });

  it("reads an abandoned failed merge as abandoned, whatever the failure was", () => {
    const snapshotRef = "refs/grove/archive/agent/demo/t1";
    const run = { state: "succeeded" };
    for (const failure of [{ error: "Merge conflict in a.txt" }, { error: "red", candidateSha: "a".repeat(40) }, { error: null }])
      expect(taskOutcome({ run, mergeRequest: { state: "failed", ...failure, snapshotRef } })).toBe("abandoned");
    expect(taskOutcome({ run, mergeRequest: { state: "failed", error: "Merge conflict in a.txt", snapshotRef: null } })).toBe(
      "merge_conflict",
    );
  });

  it("never calls a run whose merge failed succeeded", () => {
    const outcome = taskOutcome({ run: { state: "succeeded" }, mergeRequest: { state: "failed", error: "Merge conflict in x" } });
    expect(TASK_OUTCOME_LABELS[outcome]).toBe("merge conflict");
  });

  it("tells a run that failed its own tests from one that failed otherwise", () => {
    expect(taskOutcome({ run: { state: "failed", testStatus: "failed" } })).toBe("failed_tests");
    expect(taskOutcome({ run: { state: "failed", testStatus: "passed" } })).toBe("failed");
  });

  it("reads a merge request state it does not know as still waiting, not as a crash", () => {
    expect(taskOutcome({ run: { state: "succeeded" }, mergeRequest: { state: "superseded-someday" } })).toBe("waiting");
  });
});
