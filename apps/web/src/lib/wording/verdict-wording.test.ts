import { describe, expect, it } from "vitest";
import { conflictsLine, overlapLine } from "./verdict-wording.ts";

const overlap = [{ file: "src/app.ts", branches: ["agent/b/two"] }];

describe("a merge request's predictions, before and after it merged", () => {
  it("warns in red of files another agent also changes while the request waits", () => {
    expect(overlapLine(overlap, "open")).toEqual({ tone: "bad", text: "src/app.ts (also agent/b/two)" });
    expect(overlapLine([], "open")).toEqual({ tone: "good", text: "no other agent touches these files" });
    expect(overlapLine(null, "open")).toEqual({ tone: "unknown", text: "not checked" });
  });

  it("no longer warns once merged: the overlap and the predicted conflicts are moot", () => {
    expect(overlapLine(overlap, "merged")).toEqual({ tone: "info", text: "moot: it merged" });
    expect(conflictsLine(["src/app.ts"], "merged")).toEqual({ tone: "info", text: "moot: it merged" });
  });

  it("keeps predicted conflicts red until then", () => {
    expect(conflictsLine(["a.ts", "b.ts"], "approved")).toEqual({ tone: "bad", text: "2 file(s): a.ts, b.ts" });
    expect(conflictsLine([], "open")).toEqual({ tone: "good", text: "none predicted" });
  });
});
