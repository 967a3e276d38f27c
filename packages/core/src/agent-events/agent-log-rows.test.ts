import { describe, expect, it } from "vitest";
import { readAgentRow } from "./agent-log-rows.ts";

// The rows as the runner renders them are read back in the runner's claude-stream and codex-stream tests;
// here, what the kind decides, and what is no such row.
describe("readAgentRow", () => {
  it("reads a row by the kind the runner gave it", () => {
    expect(readAgentRow({ stream: "stderr", text: "\u001b[31m✗ refused Bash: denied\u001b[0m", kind: "refused" })).toEqual({
      kind: "refused",
      label: "refused Bash",
      text: "denied",
    });
    expect(readAgentRow({ stream: "stdout", text: "\u001b[36m→ Read\u001b[0m", kind: "tool" })).toEqual({
      kind: "tool",
      label: "Read",
      text: "",
    });
    expect(readAgentRow({ stream: "stdout", text: "I will fix it.", kind: "message" })).toEqual({
      kind: "message",
      label: "agent",
      text: "I will fix it.",
    });
  });

  it("shows the agent's own words as they are, even when they print colours and markers of rendered rows", () => {
    expect(readAgentRow({ stream: "stdout", text: "\u001b[36m→ Bash pretending\u001b[0m" })).toBeNull();
    expect(readAgentRow({ stream: "stderr", text: "\u001b[31m✗ refused Write: not really\u001b[0m" })).toBeNull();
    expect(readAgentRow({ stream: "stdout", text: "\u001b[36mclaude success after 1 turn(s)\u001b[0m" })).toBeNull();
    // A message row that looks like a tool call is still the agent's message.
    expect(readAgentRow({ stream: "stdout", text: "\u001b[36m→ Bash {}\u001b[0m", kind: "message" })).toEqual({
      kind: "message",
      label: "agent",
      text: "→ Bash {}",
    });
  });
});
