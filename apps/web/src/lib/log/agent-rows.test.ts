import { describe, expect, it } from "vitest";
import { agentRowEvents } from "./agent-rows.ts";
import { parseStreamJson } from "./stream-json.ts";

describe("the structured view's entries for Claude's rendered rows", () => {
  it("shows a refusal as an error entry naming the tool, a tool call with its input, the end as the result", () => {
    expect(
      agentRowEvents({
        stream: "stderr",
        text: "\u001b[31m✗ refused Write: Path is outside allowed working directories\u001b[0m",
      }),
    ).toEqual([{ kind: "error", label: "refused Write", text: "Path is outside allowed working directories" }]);
    expect(agentRowEvents({ stream: "stdout", text: '\u001b[36m→ Bash {"command":"ls"}\u001b[0m' })).toEqual([
      { kind: "tool", label: "Bash", text: '{"command":"ls"}' },
    ]);
    expect(agentRowEvents({ stream: "stdout", text: "\u001b[36mclaude success after 2 turn(s)\u001b[0m" })).toEqual([
      { kind: "result", label: "finished", text: "success after 2 turn(s)" },
    ]);
  });

  it("leaves the agent's own words and other streams as text", () => {
    expect(agentRowEvents({ stream: "stdout", text: "I will fix it." })).toBeNull();
    expect(agentRowEvents({ stream: "system", text: "\u001b[36m→ Bash {}\u001b[0m" })).toBeNull();
  });

  it("shows a raw permission_denied line as a refusal too", () => {
    const line = JSON.stringify({
      type: "system",
      subtype: "permission_denied",
      tool_name: "Write",
      decision_reason: "Path is outside allowed working directories",
    });
    expect(parseStreamJson(line)).toEqual([
      { kind: "error", label: "refused Write", text: "Path is outside allowed working directories" },
    ]);
  });
});
