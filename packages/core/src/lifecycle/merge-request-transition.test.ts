import { describe, expect, it } from "vitest";
import {
  APPROVABLE_MERGE_REQUEST_STATES,
  CHANGEABLE_MERGE_REQUEST_STATES,
  DISPATCHED_MERGE_REQUEST_STATES,
  MERGE_REQUEST_STATES,
  TERMINAL_MERGE_REQUEST_STATES,
  WAITING_MERGE_REQUEST_STATES,
  type MergeRequestState,
} from "./lifecycle-states.ts";
import {
  MERGE_REQUEST_EVENTS,
  openMergeRequest,
  transitionMergeRequest,
  type MergeRequestEvent,
} from "./merge-request-transition.ts";

/**
 * The whole table, written out: "next state: audit events", "refused" or "forbidden". A state or event added
 * to core without a decision here fails the first test.
 */
const FINAL = {
  block: "refused",
  approve: "refused",
  reject: "refused",
  branch_moved: "refused",
  dispatch: "refused",
  dispatch_failed: "refused",
  resend: "refused",
  progress: "refused",
  merge_landed: "refused",
  merge_failed: "refused",
  merge_moved: "refused",
  request_changes: "refused",
  send_back: "refused",
  supersede: "refused",
  retry: "refused",
  withdraw: "refused",
  round_ended: "refused",
  round_moved: "refused",
};
const EXPECTED: Record<string, Record<string, string>> = {
  open: {
    block: "blocked: merge.blocked",
    approve: "approved: merge.approved",
    reject: "rejected: merge.rejected",
    branch_moved: "void: merge.void",
    dispatch: "refused",
    dispatch_failed: "refused",
    resend: "refused",
    progress: "refused",
    merge_landed: "merged:",
    merge_failed: "failed: merge.failed",
    merge_moved: "void:",
    request_changes: "changes_requested: merge.changes-requested",
    send_back: "refused",
    supersede: "refused",
    retry: "refused",
    withdraw: "refused",
    round_ended: "refused",
    round_moved: "refused",
  },
  blocked: {
    block: "blocked:",
    approve: "forbidden",
    reject: "rejected: merge.rejected",
    branch_moved: "void: merge.void",
    dispatch: "refused",
    dispatch_failed: "refused",
    resend: "refused",
    progress: "refused",
    merge_landed: "merged:",
    merge_failed: "failed: merge.failed",
    merge_moved: "void:",
    request_changes: "changes_requested: merge.changes-requested",
    send_back: "refused",
    supersede: "refused",
    retry: "refused",
    withdraw: "refused",
    round_ended: "refused",
    round_moved: "refused",
  },
  approved: {
    block: "refused",
    approve: "refused",
    reject: "refused",
    branch_moved: "refused",
    dispatch: "merging:",
    dispatch_failed: "open:",
    resend: "merging: merge.resent",
    progress: "approved:",
    merge_landed: "merged:",
    merge_failed: "failed: merge.failed",
    merge_moved: "void:",
    request_changes: "refused",
    send_back: "refused",
    supersede: "refused",
    retry: "refused",
    withdraw: "open: merge.approval_withdrawn",
    round_ended: "refused",
    round_moved: "refused",
  },
  merging: {
    block: "refused",
    approve: "refused",
    reject: "refused",
    branch_moved: "refused",
    dispatch: "refused",
    dispatch_failed: "refused",
    resend: "merging: merge.resent",
    progress: "merging:",
    merge_landed: "merged:",
    merge_failed: "failed: merge.failed",
    merge_moved: "void:",
    request_changes: "refused",
    send_back: "refused",
    supersede: "refused",
    retry: "refused",
    withdraw: "open: merge.approval_withdrawn",
    round_ended: "refused",
    round_moved: "refused",
  },
  merged: FINAL,
  rejected: FINAL,
  failed: {
    ...FINAL,
    send_back: "changes_requested: merge.sent-back",
    retry: "approved: merge.retried",
  },
  void: FINAL,
  changes_requested: {
    block: "refused",
    approve: "refused",
    reject: "refused",
    branch_moved: "refused",
    dispatch: "refused",
    dispatch_failed: "refused",
    resend: "refused",
    progress: "refused",
    merge_landed: "merged:",
    merge_failed: "failed: merge.failed",
    merge_moved: "void:",
    request_changes: "refused",
    send_back: "refused",
    supersede: "superseded: merge.superseded",
    retry: "refused",
    withdraw: "refused",
    round_ended: "open: merge.reopened",
    round_moved: "void: merge.void",
  },
  superseded: FINAL,
};

function outcome(state: MergeRequestState, event: MergeRequestEvent): string {
  const t = transitionMergeRequest(state, event);
  if (!t.ok) return t.code === "FORBIDDEN" ? "forbidden" : "refused";
  return `${t.state}:${t.audit.map((a) => ` ${a}`).join("")}`;
}

describe("transitionMergeRequest", () => {
  it("has a decided outcome for every state × event pair, and no row for a state or event core does not have", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...MERGE_REQUEST_STATES].sort());
    for (const state of MERGE_REQUEST_STATES)
      expect(Object.keys(EXPECTED[state] ?? {}).sort(), state).toEqual([...MERGE_REQUEST_EVENTS].sort());
  });

  for (const state of MERGE_REQUEST_STATES) {
    for (const event of MERGE_REQUEST_EVENTS) {
      it(`${state} × ${event} → ${EXPECTED[state]?.[event] ?? "(undecided)"}`, () => {
        expect(outcome(state, event)).toBe(EXPECTED[state]?.[event]);
      });
    }
  }

  it("agrees with the named groups of states the dashboard and queries use", () => {
    const acceptedBy = (event: MergeRequestEvent) =>
      MERGE_REQUEST_STATES.filter((state) => transitionMergeRequest(state, event).ok);
    expect(acceptedBy("approve")).toEqual([...APPROVABLE_MERGE_REQUEST_STATES]);
    expect(acceptedBy("reject")).toEqual([...WAITING_MERGE_REQUEST_STATES]);
    expect(acceptedBy("progress")).toEqual([...DISPATCHED_MERGE_REQUEST_STATES]);
    expect(acceptedBy("request_changes")).toEqual([...CHANGEABLE_MERGE_REQUEST_STATES]);
    expect(MERGE_REQUEST_STATES.filter((state) => !transitionMergeRequest(state, "merge_landed").ok)).toEqual([
      ...TERMINAL_MERGE_REQUEST_STATES,
    ]);
  });

  it("says why a step is refused, naming the state", () => {
    const refused = transitionMergeRequest("merging", "approve");
    expect(refused).toEqual({
      ok: false,
      code: "INVALID_STATE",
      reason: "This merge request is merging, not open.",
    });
  });

  it("opens a request, blocked straight away when the brain policy refuses it", () => {
    expect(openMergeRequest({ isBlocked: false })).toEqual({ state: "open", audit: ["merge.opened"] });
    expect(openMergeRequest({ isBlocked: true })).toEqual({
      state: "blocked",
      audit: ["merge.opened", "merge.blocked"],
    });
  });
});
