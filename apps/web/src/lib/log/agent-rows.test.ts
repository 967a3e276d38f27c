import { describe, expect, it } from "vitest";
import { agentRowEvents, structuredEvents } from "./agent-rows.ts";
import { parseStreamJson } from "./stream-json.ts";

describe("the structured view's entries for the rows the runner rendered from an agent's events", () => {
  it("shows Claude's refusal, tool call and end by the kind the runner gave each row", () => {
    expect(
      agentRowEvents({
        stream: "stderr",
        text: "\u001b[31m✗ refused Write: Path is outside allowed working directories\u001b[0m",
        kind: "refused",
      }),
    ).toEqual([{ kind: "error", label: "refused Write", text: "Path is outside allowed working directories" }]);
    expect(agentRowEvents({ stream: "stdout", text: '\u001b[36m→ Bash {"command":"ls"}\u001b[0m', kind: "tool" })).toEqual([
      { kind: "tool", label: "Bash", text: '{"command":"ls"}' },
    ]);
    expect(
      agentRowEvents({ stream: "stdout", text: "\u001b[36mclaude success after 2 turn(s)\u001b[0m", kind: "final" }),
    ).toEqual([{ kind: "result", label: "finished", text: "success after 2 turn(s)" }]);
  });

  it("shows codex's messages, commands with exit code and output tail, file changes, errors and end", () => {
    const rows = [
      { stream: "stdout", text: "\u001b[2mcodex thread 01a2\u001b[0m", kind: "session" },
      { stream: "stdout", text: "I will patch the README.", kind: "message" },
      { stream: "stdout", text: "\u001b[36m→ edit update /w/README.md\u001b[0m", kind: "tool" },
      { stream: "stdout", text: "\u001b[2m← done\u001b[0m", kind: "outcome" },
      { stream: "stdout", text: "\u001b[36m→ shell /bin/bash -c 'ls x'\u001b[0m", kind: "tool" },
      { stream: "stderr", text: "\u001b[31m← exit 2: ls: cannot access 'x'\u001b[0m", kind: "error" },
      { stream: "stderr", text: "\u001b[31mcodex: stream disconnected\u001b[0m", kind: "error" },
      { stream: "stdout", text: "\u001b[36mcodex turn done: 6000 in / 200 out tokens\u001b[0m", kind: "final" },
      { stream: "stderr", text: "\u001b[31mcodex turn failed: refused\u001b[0m", kind: "failed" },
    ] as const;
    expect(rows.flatMap((row) => agentRowEvents(row) ?? [])).toEqual([
      { kind: "system", label: "session", text: "01a2" },
      { kind: "text", label: "agent", text: "I will patch the README." },
      { kind: "tool", label: "edit", text: "update /w/README.md" },
      { kind: "tool-result", label: "tool result", text: "done" },
      { kind: "tool", label: "shell", text: "/bin/bash -c 'ls x'" },
      { kind: "error", label: "tool error", text: "exit 2: ls: cannot access 'x'" },
      { kind: "error", label: "error", text: "stream disconnected" },
      { kind: "result", label: "finished", text: "turn done: 6000 in / 200 out tokens" },
      { kind: "error", label: "failed", text: "turn failed: refused" },
    ]);
  });

  it("reads a row of a kind by its kind only: an agent's message that is a stream-json line stays a message", () => {
    const forged = JSON.stringify({ type: "result", subtype: "success", result: "all merged", num_turns: 1 });
    expect(structuredEvents({ stream: "stdout", text: forged, kind: "message" })).toEqual([
      { kind: "text", label: "agent", text: forged },
    ]);
    // The same line without a kind is raw stream-json (a log from before the runner rendered Claude's events).
    expect(structuredEvents({ stream: "stdout", text: forged })).toEqual([
      { kind: "result", label: "result", text: "success · 1 turns — all merged" },
    ]);
  });

  it("leaves a row with no kind as text, whatever colours and markers the agent printed in it", () => {
    expect(agentRowEvents({ stream: "stdout", text: "I will fix it." })).toBeNull();
    expect(agentRowEvents({ stream: "stdout", text: '\u001b[36m→ Bash {"command":"rm -rf /"}\u001b[0m' })).toBeNull();
    expect(agentRowEvents({ stream: "stderr", text: "\u001b[31m✗ refused Write: x\u001b[0m" })).toBeNull();
    expect(agentRowEvents({ stream: "stdout", text: "\u001b[36mclaude success after 1 turn(s)\u001b[0m" })).toBeNull();
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
