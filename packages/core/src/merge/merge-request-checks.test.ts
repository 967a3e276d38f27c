import { describe, expect, it } from "vitest";
import { decodeMergeRequestChecks } from "./merge-request-checks.ts";

describe("decodeMergeRequestChecks", () => {
  it("decodes the stored checks, and reads a column it cannot parse as not checked", () => {
    const stored = {
      conflicts: '["a.txt"]',
      overlaps: '[{"file":"b.txt","branches":["agent/x/t1"]}]',
      brainFiles: "[]",
    };
    expect(decodeMergeRequestChecks(stored)).toEqual({
      conflicts: ["a.txt"],
      overlaps: [{ file: "b.txt", branches: ["agent/x/t1"] }],
      brainFiles: [],
    });
    expect(decodeMergeRequestChecks({ conflicts: null, overlaps: "{not json", brainFiles: '[1, "x"]' })).toEqual({
      conflicts: null,
      overlaps: null,
      brainFiles: null,
    });
  });
});
