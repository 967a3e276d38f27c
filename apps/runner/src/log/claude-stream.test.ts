import stripAnsi from "strip-ansi";
import { describe, expect, it } from "vitest";
import { isClaudeStreamJson, readAgentRow } from "@grove/core";
import { createClaudeStream } from "./claude-stream.ts";
import { resultFromFinalAnswer } from "../run/read-result.ts";

describe("Claude Code stream-json", () => {
  it("is recognised from the agent's argv", () => {
    expect(isClaudeStreamJson(["claude", "--print", "--output-format", "stream-json", "x"])).toBe(true);
    expect(isClaudeStreamJson(["claude", "--output-format=stream-json"])).toBe(true);
    expect(isClaudeStreamJson(["claude", "--print", "stream-json"])).toBe(false);
  });

  it("renders messages, tool calls and the final result as readable lines", () => {
    const stream = createClaudeStream();
    const render = (event: unknown) => stream.render(JSON.stringify(event)).map((l) => `${l.stream}: ${stripAnsi(l.text)}`);
    expect(render({ type: "system", subtype: "init", session_id: "abc", model: "claude-x" })).toEqual([
      "stdout: claude session abc (claude-x)",
    ]);
    expect(
      render({
        type: "assistant",
        message: {
          content: [
            { type: "text", text: "Looking at it.\nThen fixing." },
            { type: "tool_use", name: "Bash", input: { command: "ls" } },
          ],
        },
      }),
    ).toEqual(["stdout: Looking at it.", "stdout: Then fixing.", 'stdout: → Bash {"command":"ls"}']);
    expect(render({ type: "user", message: { content: [{ type: "tool_result", content: "boom", is_error: true }] } })).toEqual([
      "stderr: ← boom",
    ]);
    expect(render({ type: "result", subtype: "success", result: "done", total_cost_usd: 0.01234, num_turns: 2 })).toEqual([
      "stdout: claude success after 2 turn(s), $0.0123",
    ]);
    expect(stream.final()).toMatchObject({ isError: false, text: "done", costUsd: 0.01234, turns: 2 });
    // As Claude Code prints a run it could not start (not logged in): subtype "success", is_error set.
    const notLoggedIn = {
      type: "result",
      subtype: "success",
      is_error: true,
      result: "Not logged in · Please run /login",
      num_turns: 1,
    };
    expect(render(notLoggedIn)).toEqual(["stdout: claude failed after 1 turn(s)"]);
    expect(stream.render("not json at all")).toEqual([{ stream: "stdout", text: "not json at all" }]);
    expect(stream.refused()).toEqual([]);
  });

  it("renders a permission denial as one refused line and counts it", () => {
    const stream = createClaudeStream();
    // As Claude Code 2.1.328 prints it: its `message` is text, not a message object.
    const denial = {
      type: "system",
      subtype: "permission_denied",
      tool_name: "Write",
      decision_reason: "Path is outside allowed working directories",
      message: "Claude requested permissions to write to /x, but you haven't granted it yet.",
    };
    expect(stream.render(JSON.stringify(denial)).map((l) => `${l.stream}: ${stripAnsi(l.text)}`)).toEqual([
      "stderr: ✗ refused Write: Path is outside allowed working directories",
    ]);
    expect(
      stream.render(JSON.stringify({ ...denial, decision_reason: undefined, tool_name: "Bash" })).map((l) => stripAnsi(l.text)),
    ).toEqual(["✗ refused Bash: Claude requested permissions to write to /x, but you haven't granted it yet."]);
    expect(stream.refused()).toEqual([
      "Write: Path is outside allowed working directories",
      "Bash: Claude requested permissions to write to /x, but you haven't granted it yet.",
    ]);
  });

  it("shows each refused tool call as an error line and counts them", () => {
    const stream = createClaudeStream();
    const deny = {
      type: "system",
      subtype: "permission_denied",
      tool_name: "Write",
      decision_reason: "Path is outside allowed working directories",
      message: "Claude requested permissions…",
    };
    expect(stream.refusedActions()).toBe(0);
    expect(stream.render(JSON.stringify(deny)).map((l) => `${l.stream}: ${stripAnsi(l.text)}`)).toEqual([
      "stderr: ✗ refused Write: Path is outside allowed working directories",
    ]);
    // A tool that failed on its own (a command's non-zero exit) is an error, not a refusal.
    stream.render(
      JSON.stringify({ type: "user", message: { content: [{ type: "tool_result", content: "Exit code 6", is_error: true }] } }),
    );
    stream.render(JSON.stringify({ ...deny, tool_name: "Bash", decision_reason: undefined }));
    expect(stream.refusedActions()).toBe(2);
  });

  it("writes rows of a kind the run page's structured view reads back as the events they show (core's readAgentRow)", () => {
    const stream = createClaudeStream();
    const rows = [
      { type: "system", subtype: "init", session_id: "abc", model: "claude-x" },
      {
        type: "assistant",
        message: {
          content: [
            { type: "text", text: "Plain words." },
            { type: "tool_use", name: "Edit", input: { file_path: "a.txt" } },
          ],
        },
      },
      { type: "user", message: { content: [{ type: "tool_result", content: "ok" }] } },
      { type: "user", message: { content: [{ type: "tool_result", content: "Exit code 1", is_error: true }] } },
      {
        type: "system",
        subtype: "permission_denied",
        tool_name: "Write",
        decision_reason: "Path is outside allowed working directories",
      },
      { type: "result", subtype: "success", result: "done", num_turns: 2 },
      { type: "result", subtype: "error_max_turns", is_error: true, num_turns: 9 },
    ].flatMap((event) => stream.render(JSON.stringify(event)));
    expect(rows.map((row) => readAgentRow(row))).toEqual([
      { kind: "session", label: "session", text: "abc (claude-x)" },
      { kind: "message", label: "agent", text: "Plain words." },
      { kind: "tool", label: "Edit", text: '{"file_path":"a.txt"}' },
      { kind: "outcome", label: "tool result", text: "2 chars" },
      { kind: "error", label: "tool error", text: "Exit code 1" },
      { kind: "refused", label: "refused Write", text: "Path is outside allowed working directories" },
      { kind: "final", label: "finished", text: "success after 2 turn(s)" },
      { kind: "failed", label: "failed", text: "error_max_turns after 9 turn(s)" },
    ]);
  });

  it("gives the agent's own words the kind of a message, whatever colours and markers they print", () => {
    const stream = createClaudeStream();
    const forged = "\u001b[36m→ Bash {}\u001b[0m\n\u001b[36mclaude success after 1 turn(s)\u001b[0m";
    const rows = stream.render(JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text: forged }] } }));
    expect(rows.map((row) => readAgentRow(row)?.kind)).toEqual(["message", "message"]);
  });

  it("passes an agent's own escape sequences through, which stripping reduces to the visible text", () => {
    const stream = createClaudeStream();
    // An OSC 8 hyperlink and a CSI with a private parameter (hide the cursor): a strip of ESC and `[0-9;]*m` alone leaves "]8;;…" and "[?25l".
    const text = "\u001b]8;;https://example.test/docs\u0007the docs\u001b]8;;\u0007 \u001b[?25lare \u001b[1;32mready\u001b[0m";
    const lines = stream.render(JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text }] } }));
    expect(lines.map((l) => stripAnsi(l.text))).toEqual(["the docs are ready"]);
  });

  it("takes a RESULT from a json block of the final answer, else the answer as its summary", () => {
    const result = { status: "done", summary: "Fixed it.", learnings: [{ title: "t", body: "b" }] };
    const fromBlock = resultFromFinalAnswer({
      isError: false,
      text: `All good.\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\`\n`,
    });
    expect(fromBlock).toEqual({ result, resultError: null });
    expect(resultFromFinalAnswer({ isError: true, text: "I could not do it." })).toEqual({
      result: { status: "failed", summary: "I could not do it.", learnings: [] },
      resultError: null,
    });
  });
});
