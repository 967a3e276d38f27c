// No imports: the dashboard's browser code reads this through `@grove/core/lifecycle-states` without pulling in zod.
// The one list of each lifecycle's states. prisma/schema.prisma's comments, README and the UI badges follow
// these (packages/db/src/lifecycle-docs.test.ts checks the schema and README).

/**
 * A run's life as its runner reports it; the runner decides each step, the hub records it. queued: waits for
 * a place on its runner; preparing: worktree and setup; running: the agent works; testing: the repository's
 * test gate on what it committed. Then it ends: succeeded (committed, tests not red: a merge request opens),
 * failed (the agent, the setup or the tests failed), no_changes (the agent exited 0 and left nothing at all,
 * committed or not: nothing to merge, no merge request), needs_input (the agent's CLI asked a question on its
 * output and waited for an answer its empty stdin can never give; grove stopped it, and the prompt it showed
 * is the run's error), interrupted (its runner stopped or died under it) or cancelled (a person stopped it).
 */
export const RUN_STATES = [
  "queued",
  "preparing",
  "running",
  "testing",
  "succeeded",
  "failed",
  "no_changes",
  "needs_input",
  "interrupted",
  "cancelled",
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** A run in one of these has ended: nothing it did changes any more. */
export const TERMINAL_RUN_STATES = [
  "succeeded",
  "failed",
  "no_changes",
  "needs_input",
  "interrupted",
  "cancelled",
] as const satisfies readonly RunState[];
/** A run still on its way (waiting for a place, or working). */
export const LIVE_RUN_STATES = ["queued", "preparing", "running", "testing"] as const satisfies readonly RunState[];

/** How a run's state reads on a badge, in a list or a CLI summary. */
export const RUN_STATE_LABELS: Record<RunState, string> = {
  queued: "queued",
  preparing: "preparing",
  running: "running",
  testing: "testing",
  succeeded: "succeeded",
  failed: "failed",
  no_changes: "no changes",
  needs_input: "needs input",
  interrupted: "interrupted",
  cancelled: "cancelled",
};

/** The label of a state read from storage (an unknown one reads as itself). */
export function describeRunState(state: string): string {
  return isRunState(state) ? RUN_STATE_LABELS[state] : state;
}

/**
 * A merge request's life. open: waits for a person; blocked: the brain policy refuses what it commits (it
 * can only be rejected); approved: a person approved its head; merging: the runner's merge queue has it;
 * then merged, rejected, failed (conflict, red merged tree, refused) or void (its branch moved).
 */
export const MERGE_REQUEST_STATES = ["open", "blocked", "approved", "merging", "merged", "rejected", "failed", "void"] as const;
export type MergeRequestState = (typeof MERGE_REQUEST_STATES)[number];

/** Waiting for a person's decision. */
export const WAITING_MERGE_REQUEST_STATES = ["open", "blocked"] as const satisfies readonly MergeRequestState[];
/** A person can approve these (a blocked request can only be rejected). */
export const APPROVABLE_MERGE_REQUEST_STATES = ["open"] as const satisfies readonly MergeRequestState[];
/** Approved and handed to (or about to be handed to) the runner's merge queue. */
export const DISPATCHED_MERGE_REQUEST_STATES = ["approved", "merging"] as const satisfies readonly MergeRequestState[];
/** Final: no event moves a request out of these. */
export const TERMINAL_MERGE_REQUEST_STATES = [
  "merged",
  "rejected",
  "failed",
  "void",
] as const satisfies readonly MergeRequestState[];
/** Someone (a person, or the runner's merge) decided it. */
export const DECIDED_MERGE_REQUEST_STATES = [...DISPATCHED_MERGE_REQUEST_STATES, ...TERMINAL_MERGE_REQUEST_STATES] as const;

export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

export function isMergeRequestState(value: string): value is MergeRequestState {
  return (MERGE_REQUEST_STATES as readonly string[]).includes(value);
}

export function isTerminalRunState(state: string): boolean {
  return (TERMINAL_RUN_STATES as readonly string[]).includes(state);
}

export function isBlockedMergeRequestState(state: string): boolean {
  return state === "blocked";
}

export function isTerminalMergeRequestState(state: string): boolean {
  return (TERMINAL_MERGE_REQUEST_STATES as readonly string[]).includes(state);
}
