import { describe, expect, it } from "vitest";
import { parseClaudeStreamLine } from "./claude-stream.ts";
import { parseCodexLine, parseCodexStderrLine } from "./codex-json.ts";
import { createUsageMeter, type UsageMeter } from "./usage-meter.ts";

/** Claude Code's stdout line through core's one parser into the meter, as the runner does. */
function observeClaudeLine(meter: UsageMeter, line: string): void {
  const event = parseClaudeStreamLine(line);
  if (event) meter.observeClaude(event);
}

// Lines as Codex 0.169.0 printed them against the OpenAI model double (`codex exec --json`).
const CODEX_RUN = [
  '{"type":"thread.started","thread_id":"01a22ea6-4531-70d1-a2b4-9238b6729e5d"}',
  '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `grove-double` not found."}}',
  '{"type":"turn.started"}',
  '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -c \'cat -- pack.md\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -c \'cat -- pack.md\'","aggregated_output":"cat: pack.md: No such file or directory\\n","exit_code":1,"status":"failed"}}',
  '{"type":"item.completed","item":{"id":"item_3","type":"command_execution","command":"/bin/bash -c \'echo hi\'","aggregated_output":"hi\\n","exit_code":0,"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_5","type":"agent_message","text":"sum"}}',
  '{"type":"turn.completed","usage":{"input_tokens":50,"cached_input_tokens":20,"cache_write_input_tokens":0,"output_tokens":25,"reasoning_output_tokens":7}}',
];

describe("parseCodexLine", () => {
  it("turns a codex run into typed events: thread, tool calls with input and outcome, errors, answer, usage", () => {
    const events = CODEX_RUN.flatMap((line) => parseCodexLine(line) ?? []);
    expect(events).toEqual([
      { kind: "thread", threadId: "01a22ea6-4531-70d1-a2b4-9238b6729e5d" },
      { kind: "error", message: "Model metadata for `grove-double` not found." },
      { kind: "turn-started" },
      { kind: "tool-started", id: "item_1", tool: "shell", input: "/bin/bash -c 'cat -- pack.md'" },
      {
        kind: "tool-completed",
        id: "item_1",
        tool: "shell",
        input: "/bin/bash -c 'cat -- pack.md'",
        output: "cat: pack.md: No such file or directory\n",
        exitCode: 1,
        isError: true,
      },
      {
        kind: "tool-completed",
        id: "item_3",
        tool: "shell",
        input: "/bin/bash -c 'echo hi'",
        output: "hi\n",
        exitCode: 0,
        isError: false,
      },
      { kind: "message", text: "sum" },
      { kind: "usage", usage: { inputTokens: 50, cachedInputTokens: 20, outputTokens: 25, reasoningOutputTokens: 7 } },
    ]);
  });

  it("counts a call codex declined as a denial, and a command its sandbox stopped as a failed command only", () => {
    // As Codex 0.169.0 printed them with --approve-for-me, its review denying an escalation, and then a
    // write the workspace-write sandbox stopped (no review: nothing in the event says "sandbox").
    const declined =
      '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -c \'touch /etc/grove-probe\'","aggregated_output":"","exit_code":null,"status":"declined"}}';
    const sandboxed =
      '{"type":"item.completed","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -c \'touch /etc/grove-probe\'","aggregated_output":"touch: cannot touch \'/etc/grove-probe\': Read-only file system\\n","exit_code":1,"status":"failed"}}';
    expect(parseCodexLine(declined)).toEqual([
      {
        kind: "tool-completed",
        id: "item_1",
        tool: "shell",
        input: "/bin/bash -c 'touch /etc/grove-probe'",
        output: "",
        exitCode: null,
        isError: true,
      },
      {
        kind: "denial",
        toolName: "shell",
        reason: "declined by codex's approval",
        message: "/bin/bash -c 'touch /etc/grove-probe'",
      },
    ]);
    expect(parseCodexLine(sandboxed)?.map((e) => e.kind)).toEqual(["tool-completed"]);
  });

  it("reads the refusal codex exec only logs on stderr (a request to leave the sandbox under approval never)", () => {
    // As Codex 0.169.0 printed it under the built-in profile (--sandbox workspace-write, exec's approval "never").
    const line =
      "2026-12-01T01:36:06.245879Z ERROR codex_core::tools::router: error=approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never";
    expect(parseCodexStderrLine(line)).toEqual({
      kind: "denial",
      toolName: "shell",
      reason: "asked to run outside its sandbox",
      message:
        "approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never",
    });
    for (const other of [
      "Reading additional input from stdin...",
      '2026-12-01T01:37:00Z ERROR codex_core::tools::router: error=exec_command failed: CreateProcess { message: "boom" }',
      "touch: cannot touch '/etc/x': Read-only file system",
    ])
      expect(parseCodexStderrLine(other), other).toBeNull();
  });

  it("leaves anything that is not a codex event to the caller as plain text", () => {
    for (const line of [
      "Reading additional input from stdin...",
      "",
      "{not json",
      "[1,2]",
      '{"no":"type"}',
      '{"type":"future.event"}',
      "null",
    ]) {
      expect(parseCodexLine(line)).toBeNull();
    }
  });

  it("reads file changes and a failed turn", () => {
    expect(
      parseCodexLine(
        '{"type":"item.completed","item":{"id":"i","type":"file_change","changes":[{"path":"a.ts","kind":"update"}],"status":"completed"}}',
      ),
    ).toEqual([
      { kind: "tool-completed", id: "i", tool: "edit", input: "update a.ts", output: "", exitCode: null, isError: false },
    ]);
    expect(parseCodexLine('{"type":"turn.failed","error":{"message":"stream disconnected"}}')).toEqual([
      { kind: "turn-failed", message: "stream disconnected" },
    ]);
  });

  it("reads an MCP tool call with its arguments, and its answer or why it failed", () => {
    const call = (extra: object) =>
      JSON.stringify({
        type: "item.completed",
        item: { id: "m", type: "mcp_tool_call", server: "docs", tool: "search", arguments: { q: "grove" }, ...extra },
      });
    expect(parseCodexLine(call({ status: "completed", result: { content: [{ type: "text", text: "3 hits" }] } }))).toEqual([
      {
        kind: "tool-completed",
        id: "m",
        tool: "docs.search",
        input: '{"q":"grove"}',
        output: "3 hits",
        exitCode: null,
        isError: false,
      },
    ]);
    expect(parseCodexLine(call({ status: "failed", error: { message: "server not running" }, result: null }))).toEqual([
      {
        kind: "tool-completed",
        id: "m",
        tool: "docs.search",
        input: '{"q":"grove"}',
        output: "server not running",
        exitCode: null,
        isError: true,
      },
    ]);
  });

  it("cuts a huge command output to a bounded event", () => {
    const line = JSON.stringify({
      type: "item.completed",
      item: {
        id: "i",
        type: "command_execution",
        command: "yes",
        aggregated_output: "y\n".repeat(100_000),
        exit_code: 0,
        status: "completed",
      },
    });
    const [event] = parseCodexLine(line) ?? [];
    expect(event?.kind === "tool-completed" && event.output.length).toBe(8_000);
  });
});

describe("createUsageMeter", () => {
  it("sums codex turns: tokens in and out, no cost, the thread id as the agent session id", () => {
    const meter = createUsageMeter();
    expect(meter.usage(10)).toBeNull();
    for (const line of CODEX_RUN) meter.observeCodex(parseCodexLine(line) ?? []);
    meter.observeCodex(
      parseCodexLine(
        '{"type":"turn.completed","usage":{"input_tokens":5,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0}}',
      ) ?? [],
    );
    expect(meter.usage(1234)).toEqual({
      tokensIn: 55,
      tokensOut: 26,
      costUsd: null,
      turns: 2,
      durationMs: 1234,
      agentSessionId: "01a22ea6-4531-70d1-a2b4-9238b6729e5d",
    });
  });

  it("takes Claude Code's totals from its result event and its session id from init", () => {
    const meter = createUsageMeter();
    observeClaudeLine(meter, '{"type":"system","subtype":"init","session_id":"75b65174-b5c0","model":"claude-opus-5-5"}');
    observeClaudeLine(meter, '{"type":"assistant","message":{"content":[{"type":"text","text":"the result is near"}]}}');
    observeClaudeLine(
      meter,
      '{"type":"result","subtype":"success","session_id":"75b65174-b5c0","total_cost_usd":0.0007,"num_turns":5,"duration_ms":1800,"usage":{"input_tokens":50,"cache_creation_input_tokens":3,"cache_read_input_tokens":2,"output_tokens":25}}',
    );
    expect(meter.usage(9999)).toEqual({
      tokensIn: 55,
      tokensOut: 25,
      costUsd: 0.0007,
      turns: 5,
      durationMs: 1800,
      agentSessionId: "75b65174-b5c0",
    });
  });

  it("reads a result event whatever the order of its keys, over what the messages said", () => {
    const meter = createUsageMeter();
    const message = (id: string, text: string) =>
      JSON.stringify({
        type: "assistant",
        message: {
          id,
          content: [{ type: "text", text }],
          usage: { input_tokens: 1000, cache_read_input_tokens: 200, output_tokens: 1 },
        },
        session_id: "s-2",
      });
    observeClaudeLine(meter, message("msg_1", "first block"));
    observeClaudeLine(meter, message("msg_1", "second block of the same message"));
    observeClaudeLine(meter, message("msg_2", "next turn"));
    observeClaudeLine(
      meter,
      '{"type":"user","message":{"content":[{"type":"tool_result","content":"\\"type\\":\\"result\\""}]}}',
    );
    // A run stopped here (cancelled, timed out) has no result event: what the messages said stands.
    expect(meter.usage(70)).toEqual({
      tokensIn: 2400,
      tokensOut: 2,
      costUsd: null,
      turns: 2,
      durationMs: 70,
      agentSessionId: null,
    });
    observeClaudeLine(
      meter,
      '{"duration_api_ms":602,"session_id":"s-2","total_cost_usd":0.0123,"usage":{"input_tokens":2000,"cache_read_input_tokens":400,"output_tokens":80},"num_turns":2,"subtype":"success","type":"result"}',
    );
    expect(meter.usage(70)).toEqual({
      tokensIn: 2400,
      tokensOut: 80,
      costUsd: 0.0123,
      turns: 2,
      durationMs: 70,
      agentSessionId: "s-2",
    });
  });

  it("counts nonsense numbers a CLI printed as not reported", () => {
    const meter = createUsageMeter();
    // A turn count of 1e400 makes the line no event at all (core's parser); odd usage is usage not reported.
    observeClaudeLine(meter, '{"type":"result","total_cost_usd":0.5,"num_turns":1e400}');
    expect(meter.usage(null)).toBeNull();
    observeClaudeLine(meter, '{"type":"result","total_cost_usd":-3,"usage":{"input_tokens":"many","output_tokens":-1}}');
    expect(meter.usage(null)).toEqual({
      tokensIn: 0,
      tokensOut: 0,
      costUsd: null,
      turns: null,
      durationMs: null,
      agentSessionId: null,
    });
  });
});
