import { describe, expect, it } from "vitest";
import { isClaudeStreamJson, parseClaudeStreamLine } from "./claude-stream.ts";

const parse = (event: unknown) => parseClaudeStreamLine(JSON.stringify(event));

describe("Claude Code stream-json", () => {
  it("is recognised from the agent's argv", () => {
    expect(isClaudeStreamJson(["claude", "--print", "--output-format", "stream-json", "x"])).toBe(true);
    expect(isClaudeStreamJson(["claude", "--output-format=stream-json"])).toBe(true);
    expect(isClaudeStreamJson(["claude", "--print", "stream-json"])).toBe(false);
  });

  it("reads each kind of event into its typed form", () => {
    expect(parse({ type: "system", subtype: "init", session_id: "abc", model: "claude-x", tools: ["Bash", "Edit"] })).toEqual({
      kind: "system",
      subtype: "init",
      sessionId: "abc",
      model: "claude-x",
      toolCount: 2,
    });
    expect(
      parse({
        type: "assistant",
        message: {
          content: [
            { type: "text", text: "Looking.\nFixing." },
            { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
            { type: "thinking" },
          ],
        },
      }),
    ).toEqual({
      kind: "message",
      role: "assistant",
      blocks: [
        { kind: "text", text: "Looking.\nFixing." },
        { kind: "tool-use", name: "Bash", input: { command: "ls" } },
        { kind: "other", type: "thinking" },
      ],
      id: null,
      usage: null,
    });
    expect(parse({ type: "user", message: { content: [{ type: "tool_result", content: "boom", is_error: true }] } })).toEqual({
      kind: "message",
      role: "user",
      blocks: [{ kind: "tool-result", content: "boom", isError: true }],
      id: null,
      usage: null,
    });
    expect(parse({ type: "user", message: { content: "plain" } })).toEqual({
      kind: "message",
      role: "user",
      blocks: [{ kind: "text", text: "plain" }],
      id: null,
      usage: null,
    });
    // As Claude Code 2.1.328 prints a refusal: a system event whose `message` is text, not a message object.
    const denial = {
      type: "system",
      subtype: "permission_denied",
      tool_name: "Write",
      decision_reason: "Path is outside allowed working directories",
      message: "Claude requested permissions to write to /x.",
    };
    expect(parse(denial)).toMatchObject({
      kind: "denial",
      toolName: "Write",
      reason: "Path is outside allowed working directories",
    });
    expect(parse({ ...denial, decision_reason: undefined })).toMatchObject({
      kind: "denial",
      toolName: "Write",
      reason: null,
      message: "Claude requested permissions to write to /x.",
    });
    expect(
      parse({ type: "result", subtype: "success", result: "done", total_cost_usd: 0.5, num_turns: 2, duration_ms: 4200 }),
    ).toEqual({
      kind: "result",
      subtype: "success",
      isError: null,
      result: "done",
      costUsd: 0.5,
      turns: 2,
      durationMs: 4200,
      usage: null,
      sessionId: null,
    });
    expect(parse({ type: "stream_event", anything: 1 })).toEqual({ kind: "other", type: "stream_event" });
    // A message without content: nothing for the runner to render, a plain row for the browser.
    expect(parse({ type: "assistant" })).toEqual({ kind: "message", role: "assistant", blocks: null, id: null, usage: null });
    // Usage, with the cache reads and writes counted as input; a count of another type as not reported.
    expect(
      parse({
        type: "assistant",
        message: { id: "m1", usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: "x" } },
      }),
    ).toMatchObject({ id: "m1", usage: { inputTokens: 15, outputTokens: 0 } });
    expect(
      parse({ type: "result", session_id: "s", usage: { input_tokens: 7, cache_creation_input_tokens: 1, output_tokens: 3 } }),
    ).toMatchObject({ usage: { inputTokens: 8, outputTokens: 3 }, sessionId: "s" });
  });

  it("is no event for plain text, other JSON, or an event whose fields have other types", () => {
    expect(parseClaudeStreamLine("not json at all")).toBeNull();
    expect(parseClaudeStreamLine('{"level":"info"}')).toBeNull();
    expect(parseClaudeStreamLine("[1,2]")).toBeNull();
    expect(parse({ type: "result", num_turns: "two" })).toBeNull();
    expect(parse({ type: "assistant", message: { content: [{ type: "text", text: 5 }] } })).toBeNull();
    expect(parse({ type: "assistant", message: "text where an object belongs" })).toBeNull();
  });

  it("reads a refused tool call as Claude Code 2.1.328 prints it (captured with the model double)", () => {
    const line = {
      type: "system",
      subtype: "permission_denied",
      tool_name: "Write",
      tool_use_id: "toolu_double_1",
      decision_reason_type: "workingDir",
      decision_reason: "Path is outside allowed working directories",
      message: "Claude requested permissions to write to /tmp/outside.txt, but you haven't granted it yet.",
      session_id: "bb72fdd2",
    };
    expect(parse(line)).toEqual({
      kind: "denial",
      toolName: "Write",
      reason: "Path is outside allowed working directories",
      message: "Claude requested permissions to write to /tmp/outside.txt, but you haven't granted it yet.",
    });
    expect(parse({ type: "system", subtype: "permission_denied" })).toEqual({
      kind: "denial",
      toolName: null,
      reason: null,
      message: null,
    });
  });
});
