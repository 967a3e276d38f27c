import type { MergeRequestState, RunState } from "@grove/core/lifecycle-states";

const GREEN = "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300";
const BLUE = "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300";
const GREY = "bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300";
const AMBER = "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300";
const BAD = "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300";

const VIOLET = "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300";

// Every state of core's lifecycles has a tone here: a state added there fails the type check until it does.
const RUN_TONES: Record<RunState, string> = {
  queued: GREY,
  preparing: BLUE,
  running: BLUE,
  testing: VIOLET,
  succeeded: GREEN,
  failed: BAD,
  // Not a failure: nothing to merge (grey), or the agent waits for a person (amber, as a waiting request).
  no_changes: GREY,
  needs_input: AMBER,
  interrupted: BAD,
  cancelled: GREY,
};

const MERGE_REQUEST_TONES: Record<MergeRequestState, string> = {
  open: AMBER,
  blocked: BAD,
  approved: BLUE,
  merging: BLUE,
  merged: GREEN,
  rejected: BAD,
  failed: BAD,
  void: BAD,
  changes_requested: VIOLET,
  superseded: GREY,
};

const TONES: Record<string, string> = {
  ...RUN_TONES,
  ...MERGE_REQUEST_TONES,
  passed: GREEN,
  online: GREEN,
  skipped: GREY,
  stopped: GREY,
  none: GREY,
  untested: AMBER,
  offline: GREY,
  revoked: GREY,
  viewer: GREY,
  approver: BLUE,
  admin: VIOLET,
};

/** A state as a coloured pill; the text carries the meaning, colour only repeats it. */
export function StateBadge({ state, label }: { state: string; label?: string }) {
  return (
    <span className={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${TONES[state] ?? BAD}`}>
      {label ?? state.replaceAll("_", " ")}
    </span>
  );
}
