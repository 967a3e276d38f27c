import { isDomainError, parseGroveConfig } from "@grove/core";
import { describe, expect, it } from "vitest";
import { resolveAgent } from "./agent-profiles.ts";

// Which argv a round launches. What the real CLIs do with them is launch/real-agent-resume.test.ts.

const values = {
  prompt: "--fix the review comments",
  contextPack: "/r/pack.md",
  result: "/r/result.json",
  runDir: "/r",
  resultSchema: "/r/result.schema.json",
  lastMessage: "/r/last-message.txt",
};
const config = (agents: unknown) => parseGroveConfig(JSON.stringify({ agents }));

describe("a profile's resume form", () => {
  it("puts the built-in CLIs' resume arguments before the '--' that ends their options, the prompt one argument after it", () => {
    const claude = resolveAgent("claude", parseGroveConfig(null), { ...values, resumeSessionId: "0b8c-44" });
    expect(claude.resumed).toBe(true);
    expect(claude.argv.slice(-4)).toEqual(["--resume", "0b8c-44", "--", "--fix the review comments"]);
    const codex = resolveAgent("codex", parseGroveConfig(null), { ...values, resumeSessionId: "019a-77" });
    expect(codex.argv.slice(0, 3)).toEqual(["codex", "exec", "--json"]);
    expect(codex.argv.slice(-4)).toEqual(["resume", "019a-77", "--", "--fix the review comments"]);
  });

  it("is not used without a session id, nor by a profile that has none (it starts a new conversation)", () => {
    const fresh = resolveAgent("claude", parseGroveConfig(null), values);
    expect(fresh.resumed).toBe(false);
    expect(fresh.argv).not.toContain("--resume");
    const demo = resolveAgent("demo", parseGroveConfig(null), { ...values, resumeSessionId: "abc" });
    expect(demo.resumed).toBe(false);
    expect(demo.argv).not.toContain("abc");
  });

  it("comes from grove.yaml for a profile of its own, {resumeSessionId} filled in", () => {
    const agents = {
      mine: { command: ["mine", "--", "{prompt}"], resume: ["mine", "--session={resumeSessionId}", "--", "{prompt}"] },
    };
    const mine = resolveAgent("mine", config(agents), { ...values, resumeSessionId: "s-1" });
    expect(mine.argv).toEqual(["mine", "--session=s-1", "--", "--fix the review comments"]);
  });

  it("is refused in grove.yaml without {resumeSessionId}, and {resumeSessionId} is refused in `command`", () => {
    expect(() => config({ mine: { command: ["mine", "{prompt}"], resume: ["mine", "--continue", "{prompt}"] } })).toThrow(
      /put \{resumeSessionId\} in one of its arguments\n.*at agents\.mine\.resume/s,
    );
    expect(() => config({ mine: { command: ["mine", "{resumeSessionId}", "{prompt}"] } })).toThrow(
      /belongs in `resume`.*\n.*at agents\.mine\.command/s,
    );
  });

  it("refuses a session id that the CLI would read as an option", () => {
    let error: unknown;
    try {
      resolveAgent("claude", parseGroveConfig(null), { ...values, resumeSessionId: "--dangerously-skip-permissions" });
    } catch (caught) {
      error = caught;
    }
    expect(isDomainError(error) && error.code).toBe("INVALID_INPUT");
  });
});
