import { describe, expect, it } from "vitest";
import { LIVE_RUN_STATES, RUN_STATES, TERMINAL_RUN_STATES, type RunState } from "./lifecycle-states.ts";
import { RUN_EVENTS, transitionRun } from "./run-transition.ts";

/** Rows: the run's state; columns: the state its runner reports, in RUN_STATES order. "=" same, "→" accepted, "x" refused. */
const EXPECTED: Record<string, string> = {
  //            queued preparing running testing succeeded failed no_changes needs_input interrupted cancelled
  queued: "     =      →         →       →       →         →      →          →           →           →",
  preparing: "  x      =         →       →       →         →      →          →           →           →",
  running: "    x      x         =       →       →         →      →          →           →           →",
  testing: "    x      x         x       =       →         →      →          →           →           →",
  succeeded: "  x      x         x       x       =         x      x          x           x           x",
  failed: "     x      x         x       x       x         =      x          x           x           x",
  no_changes: " x      x         x       x       x         x      =          x           x           x",
  needs_input: "x      x         x       x       x         x      x          =           x           x",
  interrupted: "x      x         x       x       x         x      x          x           =           x",
  cancelled: "  x      x         x       x       x         x      x          x           x           =",
};

function outcome(state: RunState, next: RunState): string {
  const t = transitionRun(state, { type: "reported", state: next });
  if (!t.ok) return "x";
  expect(t.audit).toEqual([]);
  return t.state === state ? "=" : t.state === next ? "→" : `?${t.state}`;
}

describe("transitionRun", () => {
  it("has a decided row for every state and a column for every event", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...RUN_STATES].sort());
    for (const state of RUN_STATES) expect(EXPECTED[state]?.trim().split(/\s+/), state).toHaveLength(RUN_EVENTS.length);
  });

  for (const state of RUN_STATES) {
    RUN_EVENTS.forEach((event, column) => {
      const expected = EXPECTED[state]?.trim().split(/\s+/)[column];
      it(`${state} × reported ${event.state} → ${expected ?? "(undecided)"}`, () => {
        expect(outcome(state, event.state)).toBe(expected);
      });
    });
  }

  it("agrees with the named groups: live runs move on, ended runs do not", () => {
    const isFinal = (state: RunState) =>
      RUN_STATES.every((next) => next === state || !transitionRun(state, { type: "reported", state: next }).ok);
    expect(RUN_STATES.filter(isFinal)).toEqual([...TERMINAL_RUN_STATES]);
    expect(RUN_STATES.filter((state) => !isFinal(state))).toEqual([...LIVE_RUN_STATES]);
  });

  it("keeps a run that ended with no changes or needing input ended, whatever a late report says", () => {
    expect(transitionRun("no_changes", { type: "reported", state: "interrupted" })).toMatchObject({ ok: false });
    expect(transitionRun("needs_input", { type: "reported", state: "failed" })).toMatchObject({
      ok: false,
      reason: "The run already ended needs_input; it cannot become failed.",
    });
  });

  it("says why an ended run does not change", () => {
    expect(transitionRun("succeeded", { type: "reported", state: "interrupted" })).toEqual({
      ok: false,
      code: "INVALID_STATE",
      reason: "The run already ended succeeded; it cannot become interrupted.",
    });
  });
});
