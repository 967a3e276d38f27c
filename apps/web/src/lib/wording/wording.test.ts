import { describe, expect, it } from "vitest";
import { MERGE_REQUEST_STATES } from "@grove/core/lifecycle-states";
import { decisionSummary, mergeStateLabel } from "./merge-wording.ts";
import { runnerLabel } from "./runner-label.ts";

describe("merge wording", () => {
  it("never repeats 'merge' in a badge", () => {
    for (const state of MERGE_REQUEST_STATES) expect(mergeStateLabel(state)).not.toMatch(/merge merg/);
    expect(mergeStateLabel("merged")).toBe("merged");
  });

  it("says a failed or void merge happened after the approval, not by the approver", () => {
    expect(decisionSummary({ state: "failed", decidedBy: "ann" })).toBe("Approved by ann; then the merge failed");
    expect(decisionSummary({ state: "failed", decidedBy: "ann" })).not.toMatch(/failed by/);
    expect(decisionSummary({ state: "void", decidedBy: "ann" })).toMatch(/^Approved by ann; then void/);
    expect(decisionSummary({ state: "rejected", decidedBy: "ann" })).toBe("Rejected by ann");
    expect(decisionSummary({ state: "merged", decidedBy: "ann" })).toBe("Approved by ann and merged");
  });
});

describe("runner label", () => {
  it("names the host once", () => {
    expect(runnerLabel({ name: "local (vm)", host: "vm" })).toBe("local (vm)");
    expect(runnerLabel({ name: "ci", host: "build-1" })).toBe("ci (build-1)");
    expect(runnerLabel({ name: "ci", host: null })).toBe("ci (unknown host)");
  });
});
