import { describe, expect, it } from "vitest";
import { gitProgressLines } from "./git-progress-line.ts";

const updating = (processed: number, total: number) => ({
  method: "checkout",
  stage: "updating",
  progress: Math.floor((processed * 100) / total),
  processed,
  total,
});

describe("gitProgressLines", () => {
  it("writes a line per stage start, per 25 % step and at 100 %", () => {
    const lines: string[] = [];
    const onProgress = gitProgressLines((line) => lines.push(line));
    for (let processed = 1; processed <= 200; processed++) onProgress(updating(processed, 200));
    onProgress({ method: "clone", stage: "receiving", progress: 3, processed: 3, total: 100 });
    expect(lines).toEqual([
      "checkout: updating files 0% (1/200)",
      "checkout: updating files 25% (50/200)",
      "checkout: updating files 50% (100/200)",
      "checkout: updating files 75% (150/200)",
      "checkout: updating files 100% (200/200)",
      "clone: receiving objects 3% (3/100)",
    ]);
  });
});
