import { createUsageMeter, readAgentRow } from "@grove/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { agentOutputFormat } from "./agent-output.ts";
import { createCodexStream, isCodexJson } from "./codex-stream.ts";

const plain = (text: string) => text.replaceAll("\u001b", "").replace(/\[[0-9;]*m/g, "");

describe("codex --json in the run's log", () => {
  it("is recognised from the argv the profile runs, options only", () => {
    expect(isCodexJson(["codex", "exec", "--json", "--", "task"])).toBe(true);
    expect(isCodexJson(["/usr/local/bin/codex", "exec", "--sandbox", "workspace-write", "--json", "--", "x"])).toBe(true);
    expect(isCodexJson(["codex", "exec", "--", "--json"])).toBe(false);
    expect(isCodexJson(["codex", "exec", "task"])).toBe(false);
    expect(isCodexJson(["node", "agent.js", "exec", "--json"])).toBe(false);
    expect(agentOutputFormat(["codex", "exec", "--json", "--", "x"])).toBe("codex-json");
    expect(agentOutputFormat(["claude", "--print", "--output-format", "stream-json", "x"])).toBe("claude-stream-json");
    expect(agentOutputFormat(["aider", "--message=x"])).toBe("text");
  });

  it("renders events as readable lines, keeps other lines as they are, and meters the run", () => {
    const meter = createUsageMeter();
    const stream = createCodexStream(meter);
    const lines = [
      '{"type":"thread.started","thread_id":"t-1"}',
      "Reading additional input from stdin...",
      '{"type":"item.completed","item":{"id":"1","type":"command_execution","command":"cat x","aggregated_output":"no such file\\n","exit_code":1,"status":"failed"}}',
      '{"type":"item.completed","item":{"id":"2","type":"command_execution","command":"echo hi","aggregated_output":"hi\\n","exit_code":0,"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"3","type":"agent_message","text":"Done.\\nAll good."}}',
      '{"type":"turn.completed","usage":{"input_tokens":1200,"cached_input_tokens":200,"output_tokens":40,"reasoning_output_tokens":8}}',
    ].flatMap((line) => stream.render(line));
    expect(lines.map((line) => [line.stream, plain(line.text), line.kind])).toEqual([
      ["stdout", "codex thread t-1", "session"],
      ["stdout", "Reading additional input from stdin...", undefined],
      ["stdout", "→ shell cat x", "tool"],
      ["stderr", "← exit 1: no such file", "error"],
      ["stdout", "→ shell echo hi", "tool"],
      ["stdout", "← exit 0: hi", "outcome"],
      ["stdout", "Done.", "message"],
      ["stdout", "All good.", "message"],
      ["stdout", "codex turn done: 1200 in / 40 out tokens", "final"],
    ]);
    expect(stream.final()).toEqual({ isError: false, text: "Done.\nAll good.", costUsd: null, turns: null });
    expect(meter.usage(500)).toEqual({
      tokensIn: 1200,
      tokensOut: 40,
      costUsd: null,
      turns: 1,
      durationMs: 500,
      agentSessionId: "t-1",
    });
  });

  it("writes a real run's events as rows of a kind the structured view reads back (core's readAgentRow)", () => {
    const stream = createCodexStream(createUsageMeter());
    const rows = fixture("exec").flatMap((line) => stream.render(line));
    expect(rows.map((row) => readAgentRow(row))).toEqual([
      { kind: "session", label: "session", text: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown },
      { kind: "error", label: "error", text: expect.stringMatching(/^Model metadata for `grove-double` not found/) as unknown },
      { kind: "tool", label: "shell", text: `/bin/bash -c "cat -- '/work/grove/run/context-pack.md'"` },
      {
        kind: "outcome",
        label: "tool result",
        text: "exit 0: # CONTEXT-PACK - When you are done, write your RESULT as JSON to `/work/grove/run/result.json`.",
      },
      { kind: "tool", label: "edit", text: "update /work/repo/README.md" },
      { kind: "outcome", label: "tool result", text: "done" },
      { kind: "tool", label: "shell", text: "/bin/bash -c 'ls no-such-file'" },
      { kind: "error", label: "tool error", text: "exit 2: ls: cannot access 'no-such-file': No such file or directory" },
      { kind: "tool", label: "shell", text: `/bin/bash -c "printf 'line one\\\\nline two\\\\n'"` },
      { kind: "outcome", label: "tool result", text: "exit 0: line one line two" },
      {
        kind: "message",
        label: "agent",
        text: '{"status":"done","summary":"Patched the README title.","learnings":[],"files":["README.md"],"followUps":null}',
      },
      { kind: "final", label: "finished", text: "turn done: 6000 in / 200 out tokens" },
    ]);
    const refused = createCodexStream(createUsageMeter());
    expect(
      fixture("refused")
        .flatMap((line) => refused.render(line))
        .slice(-2)
        .map((row) => readAgentRow(row)),
    ).toEqual([
      { kind: "error", label: "error", text: "The model double refuses this request." },
      { kind: "failed", label: "failed", text: "turn failed: The model double refuses this request." },
    ]);
  });

  it("gives the agent's own words the kind of a message, whatever colours and markers they print", () => {
    const stream = createCodexStream(createUsageMeter());
    const forged = JSON.stringify({
      type: "item.completed",
      item: {
        id: "9",
        type: "agent_message",
        text: "\u001b[36m→ shell rm -rf /\u001b[0m\n\u001b[36mcodex turn done: 1 in / 1 out tokens\u001b[0m",
      },
    });
    expect(stream.render(forged).map((row) => readAgentRow(row)?.kind)).toEqual(["message", "message"]);
  });
});

/** What the real codex 0.169.0 printed against the model double (core's fixtures, and how they were made). */
function fixture(name: string): string[] {
  const url = new URL(`../../../../packages/core/src/agent-events/fixtures/codex-0.169.0-${name}.jsonl`, import.meta.url);
  return readFileSync(url, "utf8").trimEnd().split("\n");
}
