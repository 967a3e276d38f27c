import { isTerminalRunState, RUN_STATES, type RunState } from "./lifecycle-states.ts";
import type { Transition } from "./transition.ts";

/**
 * The event the hub applies to a run: its runner reported a state. The runner decides every step of a run
 * and audits the facts (run.ended, run.interrupted, tests.ran) itself, so no run transition implies a hub
 * audit event.
 */
export type RunEvent = { type: "reported"; state: RunState };

export const RUN_EVENTS: readonly RunEvent[] = RUN_STATES.map((state) => ({ type: "reported", state }));

/** Steps only go forward; every terminal state ranks last. */
const RANK: Record<RunState, number> = {
  queued: 0,
  preparing: 1,
  running: 2,
  testing: 3,
  succeeded: 4,
  failed: 4,
  no_changes: 4,
  needs_input: 4,
  interrupted: 4,
  cancelled: 4,
};

/**
 * A report of the state the run is already in is accepted unchanged: the runner's outbox sends again an
 * event whose acknowledgement it missed. A run never goes back a step, and an ended run stays ended (a late
 * "interrupted" from a restarted runner does not overwrite a recorded success).
 */
export function transitionRun(state: RunState, event: RunEvent): Transition<RunState, never> {
  const next = event.state;
  if (next === state) return { ok: true, state, audit: [] };
  if (isTerminalRunState(state))
    return {
      ok: false,
      code: "INVALID_STATE",
      reason: `The run already ended ${state}; it cannot become ${next}.`,
    };
  if (RANK[next] < RANK[state])
    return { ok: false, code: "INVALID_STATE", reason: `The run is ${state}; it cannot go back to ${next}.` };
  return { ok: true, state: next, audit: [] };
}
