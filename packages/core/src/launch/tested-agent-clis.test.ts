import { describe, expect, it } from "vitest";
import { judgeVersionOutput, TESTED_AGENT_CLIS } from "./tested-agent-clis.ts";

describe("judging what `--version` printed", () => {
  it("recognises claude and codex by their own wording, at the tested version or another", () => {
    expect(judgeVersionOutput(`${TESTED_AGENT_CLIS.claude.version} (Claude Code)\n`, "claude")).toMatchObject({
      cli: "claude",
      verdict: "tested",
    });
    expect(judgeVersionOutput(`codex-cli ${TESTED_AGENT_CLIS.codex.version}`, "my-codex")).toMatchObject({
      cli: "codex",
      verdict: "tested",
    });
    expect(judgeVersionOutput("codex-cli 0.170.0-alpha.1", "codex")).toMatchObject({
      cli: "codex",
      version: "0.170.0-alpha.1",
      verdict: "other-version",
    });
  });

  it("calls anything else untested, aider with the reason, and keeps only the first line of what it said", () => {
    expect(judgeVersionOutput("aider 0.86.1\n", "aider")).toMatchObject({
      cli: null,
      version: "aider 0.86.1",
      verdict: "untested",
      note: expect.stringContaining("aider cannot be installed") as unknown,
    });
    expect(judgeVersionOutput("\n  my-agent 3\nbuilt yesterday", "my-agent")).toMatchObject({
      version: "my-agent 3",
      verdict: "untested",
    });
    // A version that merely mentions Claude Code later on is not Claude Code's own answer.
    expect(judgeVersionOutput("wrapper 1.0 around 2.1.328 (Claude Code)", "wrapper").cli).toBeNull();
  });
});
