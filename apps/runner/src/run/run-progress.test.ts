import { RunProgressSchema, type RunProgress } from "@grove/core";
import { describe, expect, it } from "vitest";
import { logProgress, worktreeProgress } from "./run-progress.ts";

const updating = (processed: number, total = 400) => ({
  method: "checkout",
  stage: "updating",
  progress: Math.floor((processed * 100) / total),
  processed,
  total,
});

describe("run progress", () => {
  it("turns git's checkout progress into bounded run:progress events, one per 5 % step", () => {
    const sent: RunProgress[] = [];
    const onProgress = worktreeProgress("run-1", (event) => sent.push(event));
    for (let processed = 1; processed <= 400; processed++) onProgress(updating(processed));
    expect(sent.map((event) => event.percent)).toEqual([0, ...Array.from({ length: 20 }, (_, i) => (i + 1) * 5)]);
    expect(sent.at(-1)).toMatchObject({
      runId: "run-1",
      step: "worktree",
      phase: "updating files",
      percent: 100,
      processed: 400,
      total: 400,
    });
    for (const event of sent) expect(RunProgressSchema.parse(event)).toEqual(event);
  });

  it("logs a headless session's progress once per 25 % step of each run", () => {
    const lines: string[] = [];
    const sink = logProgress((line) => lines.push(line));
    for (const runId of ["a", "b"]) {
      const onProgress = worktreeProgress(runId, sink);
      for (let processed = 1; processed <= 400; processed++) onProgress(updating(processed));
    }
    expect(lines.filter((line) => line.startsWith("run a:"))).toEqual(
      [0, 25, 50, 75, 100].map((p) => `run a: worktree updating files ${p}% (${p * 4 || 1}/400)`),
    );
    expect(lines).toHaveLength(10);
  });
});
