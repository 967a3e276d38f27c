import { createUsageMeter } from "@grove/core";
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
    expect(lines.map((line) => [line.stream, plain(line.text)])).toEqual([
      ["stdout", "codex thread t-1"],
      ["stdout", "Reading additional input from stdin..."],
      ["stdout", "→ shell cat x"],
      ["stderr", "← exit 1: no such file"],
      ["stdout", "→ shell echo hi"],
      ["stdout", "← 3 chars"],
      ["stdout", "Done."],
      ["stdout", "All good."],
      ["stdout", "codex turn done: 1200 in / 40 out tokens"],
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
});
