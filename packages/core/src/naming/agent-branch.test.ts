import { describe, expect, it } from "vitest";
import { agentBranch } from "./agent-branch.ts";

describe("an agent or task name refused", () => {
  it("names the character it holds: a slash, or a backslash", () => {
    expect(() => agentBranch("demo", "a/b")).toThrow(/contains a slash/);
    expect(() => agentBranch("demo", "a\\b")).toThrow(/contains a backslash/);
  });
});
