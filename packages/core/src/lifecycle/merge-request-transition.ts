import { z } from "zod";
import { isTerminalMergeRequestState, MERGE_REQUEST_STATES, type MergeRequestState } from "./lifecycle-states.ts";
import type { Transition } from "./transition.ts";

export const MergeRequestStateSchema = z.enum(MERGE_REQUEST_STATES);

/**
 * What happens to a merge request, and who decides it:
 * - the hub: `block` (the brain policy refuses what the branch commits), `branch_moved` (the radar or an
 *   approval saw a waiting request's branch move), `dispatch` / `dispatch_failed` (the runner took the
 *   approved merge, or could not), `resend` (an approved merge sent again after the runner reconnected);
 * - a person: `approve`, `reject`, `withdraw` (undo an approval while the merge still waits in the runner's queue;
 *   the hub asks the runner first, and the runner refuses once it has started the merge);
 * - a person, review rounds: `request_changes` (a waiting head goes back to its agent),
 *   `send_back` (a failed merge goes back to its agent), `retry` (a failed merge queued again, same approved head);
 * - the hub again: `supersede` (the task's next round opened its own request); `round_ended` (the next round
 *   ended without a request of its own and the branch still holds this head: it waits for a person again) or
 *   `round_moved` (that round ended without a request and left the branch elsewhere: void);
 * - the runner, in its merge result: `merge_landed`, `merge_failed`, `merge_moved` (the branch moved after the
 *   approval; the runner audited "merge.void" itself, so the hub records the state only); `progress`
 *   (its merge queue's stage).
 */
export const MERGE_REQUEST_EVENTS = [
  "block",
  "approve",
  "reject",
  "branch_moved",
  "dispatch",
  "dispatch_failed",
  "resend",
  "progress",
  "merge_landed",
  "merge_failed",
  "merge_moved",
  "request_changes",
  "send_back",
  "supersede",
  "retry",
  "withdraw",
  "round_ended",
  "round_moved",
] as const;
export type MergeRequestEvent = (typeof MERGE_REQUEST_EVENTS)[number];

/**
 * The facts the hub audits about a merge request. "merge.approved" here is a person's approval; an automatic
 * approval exists only in a headless `grove session run --approve auto`, decided and audited by that runner
 * (the hub refuses a runner's "merge.approved"). "merge.void" of a merge that found the branch moved is the
 * runner's; the hub audits only the voids it decides.
 */
export type MergeRequestAuditAction =
  | "merge.opened"
  | "merge.blocked"
  | "merge.approved"
  | "merge.rejected"
  | "merge.void"
  | "merge.resent"
  | "merge.failed"
  | "merge.changes-requested"
  | "merge.sent-back"
  | "merge.superseded"
  | "merge.retried"
  | "merge.approval_withdrawn"
  | "merge.reopened";

type MergeTransition = Transition<MergeRequestState, MergeRequestAuditAction>;

/** A new request is open, or blocked straight away when the brain policy refuses its commits. */
export function openMergeRequest(input: { isBlocked: boolean }): {
  state: MergeRequestState;
  audit: readonly MergeRequestAuditAction[];
} {
  return input.isBlocked
    ? { state: "blocked", audit: ["merge.opened", "merge.blocked"] }
    : { state: "open", audit: ["merge.opened"] };
}

const go = (state: MergeRequestState, ...audit: MergeRequestAuditAction[]): MergeTransition => ({
  ok: true,
  state,
  audit,
});
const refuse = (reason: string, code: "FORBIDDEN" | "INVALID_STATE" = "INVALID_STATE"): MergeTransition => ({
  ok: false,
  code,
  reason,
});

export function transitionMergeRequest(state: MergeRequestState, event: MergeRequestEvent): MergeTransition {
  const isWaiting = state === "open" || state === "blocked";
  switch (event) {
    case "block":
      if (state === "open") return go("blocked", "merge.blocked");
      return state === "blocked" ? go("blocked") : refuse(`This merge request is ${state}; only a waiting one can be blocked.`);
    case "approve":
      if (state === "blocked") return refuse("This merge request is blocked.", "FORBIDDEN");
      return state === "open" ? go("approved", "merge.approved") : refuse(`This merge request is ${state}, not open.`);
    case "reject":
      return isWaiting ? go("rejected", "merge.rejected") : refuse(`This merge request is ${state}, not open.`);
    case "branch_moved":
      // Once approved, the runner checks the head itself when the merge queue reaches the request.
      return isWaiting
        ? go("void", "merge.void")
        : refuse(`This merge request is ${state}; its runner checks the head when it merges.`);
    case "dispatch":
      return state === "approved" ? go("merging") : refuse(`This merge request is ${state}, not approved.`);
    case "dispatch_failed":
      return state === "approved" ? go("open") : refuse(`This merge request is ${state}, not approved.`);
    case "resend":
    case "progress":
      if (state !== "approved" && state !== "merging") return refuse(`This merge request is ${state}, not approved.`);
      return event === "resend" ? go("merging", "merge.resent") : go(state);
    // The runner's word on what git did is a fact even when the hub thought the request was still waiting
    // (an acknowledgement lost after the runner had started the merge turns the request back to open).
    case "merge_landed":
    case "merge_failed":
    case "merge_moved":
      if (isTerminalMergeRequestState(state)) return refuse(`This merge request is ${state} already.`);
      return event === "merge_landed" ? go("merged") : event === "merge_failed" ? go("failed", "merge.failed") : go("void");
    case "withdraw":
      return state === "approved" || state === "merging"
        ? go("open", "merge.approval_withdrawn")
        : refuse(`This merge request is ${state}; only an approval whose merge has not started can be undone.`);
    case "request_changes":
    case "send_back":
    case "supersede":
    case "retry":
    case "round_ended":
    case "round_moved":
      return transitionReviewRound(state, event);
  }
}

/** Review rounds: the steps that hand a request's branch back to its agent, or its merge to the queue again. */
function transitionReviewRound(
  state: MergeRequestState,
  event: "request_changes" | "send_back" | "supersede" | "retry" | "round_ended" | "round_moved",
): MergeTransition {
  switch (event) {
    case "request_changes":
      return state === "open" || state === "blocked"
        ? go("changes_requested", "merge.changes-requested")
        : refuse(`This merge request is ${state}; changes can be requested only while it waits.`);
    case "send_back":
      return state === "failed"
        ? go("changes_requested", "merge.sent-back")
        : refuse(`This merge request is ${state}; only a failed merge can be sent back.`);
    case "retry":
      return state === "failed"
        ? go("approved", "merge.retried")
        : refuse(`This merge request is ${state}; only a failed merge can be retried.`);
    case "supersede":
      return state === "changes_requested"
        ? go("superseded", "merge.superseded")
        : refuse(`This merge request is ${state}; only one sent back to its agent is superseded by the next round.`);
    // Without this the request would wait for a round that will never bring a head: no one could decide it.
    case "round_ended":
    case "round_moved":
      if (state !== "changes_requested")
        return refuse(`This merge request is ${state}; only one sent back to its agent waits for the next round.`);
      return event === "round_ended" ? go("open", "merge.reopened") : go("void", "merge.void");
  }
}
