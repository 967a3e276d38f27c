import { describe, expect, it } from "vitest";
import { describeMerge, describeUsage } from "./session-summary.ts";

const sha = (c: string) => c.repeat(40);
const test = (step: "setup" | "test", exitCode: number, command: string) => ({
  status: "failed" as const,
  command,
  exitCode,
  durationMs: 10,
  outputTail: "",
  step,
});

describe("a session summary's word on a red merged tree", () => {
  it("names the setup command when it was setup that failed, and the tests otherwise", () => {
    const failed = { kind: "tests_failed" as const, candidateSha: sha("a"), integrationSha: sha("b") };
    expect(describeMerge({ ...failed, test: test("setup", 1, "setup: npm ci") })).toBe(
      "the setup command failed on the merged tree (exit 1; branch kept)",
    );
    expect(describeMerge({ ...failed, test: test("test", 2, "npm test") })).toBe(
      "tests failed on the merged tree (exit 2; branch kept)",
    );
  });
});

describe("a session summary's usage line", () => {
  it("does not call a duration the CLI's own count: codex states none, nor does a Claude run stopped before its result", () => {
    const codex = { runs: 1, tokensIn: 7200, tokensOut: 240, costUsd: null, turns: 1, durationMs: 5200 };
    const [line] = describeUsage({ codex });
    expect(line).toBe(
      "usage of codex: 7200 in / 240 out tokens, no cost reported, 1 turn(s), 5.2 s of agent time (the CLI's count, or its process's where the CLI states none; 1 run(s) reported)",
    );
  });
});
