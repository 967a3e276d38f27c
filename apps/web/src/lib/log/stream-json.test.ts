import { describe, expect, it } from "vitest";
import { parseStreamJson } from "./stream-json.ts";

describe("parseStreamJson", () => {
  it("summarises Claude's stream-json events", () => {
    expect(
      parseStreamJson(JSON.stringify({ type: "system", subtype: "init", model: "claude-x", tools: ["Bash", "Edit"] })),
    ).toEqual([{ kind: "system", label: "init", text: "claude-x · 2 tools" }]);
    expect(
      parseStreamJson(
        JSON.stringify({
          type: "system",
          subtype: "permission_denied",
          tool_name: "WebFetch",
          decision_reason: "not granted",
          message: "Claude requested permissions.",
        }),
      ),
    ).toEqual([{ kind: "error", label: "refused WebFetch", text: "not granted" }]);
    expect(
      parseStreamJson(
        JSON.stringify({
          type: "assistant",
          message: {
            content: [
              { type: "text", text: "Let me look.\nMore" },
              { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls -la" } },
            ],
          },
        }),
      ),
    ).toEqual([
      { kind: "text", label: "assistant", text: "Let me look." },
      { kind: "tool", label: "Bash", text: "ls -la" },
    ]);
    expect(
      parseStreamJson(
        JSON.stringify({
          type: "user",
          message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "boom", is_error: true }] },
        }),
      ),
    ).toEqual([{ kind: "error", label: "tool error", text: "boom" }]);
    expect(
      parseStreamJson(
        JSON.stringify({
          type: "result",
          subtype: "success",
          num_turns: 3,
          duration_ms: 4200,
          total_cost_usd: 0.125,
          result: "Done.",
        }),
      ),
    ).toEqual([{ kind: "result", label: "result", text: "success · 3 turns · 4.2 s · $0.13 — Done." }]);
  });

  it("leaves plain output and other JSON alone", () => {
    expect(parseStreamJson("step 1/3: reading the code")).toBeNull();
    expect(parseStreamJson('{"level":"info"}')).toBeNull();
    expect(parseStreamJson("{not json")).toBeNull();
  });
});
