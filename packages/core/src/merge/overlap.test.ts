import { describe, expect, it } from "vitest";
import { computeOverlaps } from "./overlap.ts";

describe("computeOverlaps", () => {
  it("lists, per branch, the files other branches also change", () => {
    const overlaps = computeOverlaps([
      { branch: "agent/a/1", files: ["src/x.ts", "src/y.ts", "src/x.ts"] },
      { branch: "agent/b/2", files: ["src/x.ts"] },
      { branch: "agent/c/3", files: ["src/x.ts", "src/y.ts", "README.md"] },
      { branch: "agent/d/4", files: ["other.md"] },
    ]);
    expect(overlaps.get("agent/a/1")).toEqual([
      { file: "src/x.ts", branches: ["agent/b/2", "agent/c/3"] },
      { file: "src/y.ts", branches: ["agent/c/3"] },
    ]);
    expect(overlaps.get("agent/b/2")).toEqual([{ file: "src/x.ts", branches: ["agent/a/1", "agent/c/3"] }]);
    expect(overlaps.get("agent/d/4")).toEqual([]);
  });
});
