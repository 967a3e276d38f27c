import { describe, expect, it } from "vitest";
import { failure } from "./merge-results.ts";

const sha = (c: string) => c.repeat(40);
const red = (step: "setup" | "test", command: string) => ({
  kind: "tests_failed" as const,
  candidateSha: sha("c"),
  integrationSha: sha("b"),
  test: { status: "failed" as const, command, exitCode: 1, durationMs: 5, outputTail: "", step },
});

describe("a merge request's error after a red merged tree", () => {
  it("names the setup command when setup failed, the tests when they did", () => {
    expect(failure(red("setup", "setup: npm ci"), "main").error).toBe(
      "The setup command (npm ci) failed on the merged tree (this branch merged onto main at bbbbbbbbbbbb); main did not move. The branch is kept.",
    );
    expect(failure(red("test", "npm test"), "main").error).toBe(
      "The tests failed on the merged tree (this branch merged onto main at bbbbbbbbbbbb); main did not move. The branch is kept.",
    );
  });
});
