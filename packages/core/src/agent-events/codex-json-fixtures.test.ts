import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCodexLine, type CodexEvent } from "./codex-json.ts";

// What the real codex 0.169.0 printed with the built-in profile's argv against the OpenAI model double,
// captured by apps/runner/src/test-support/capture-codex-json.ts (its header says how to capture again).
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/codex-0.169.0-${name}.jsonl`, import.meta.url), "utf8")
    .trimEnd()
    .split("\n");
const eventsOf = (lines: string[]): CodexEvent[] =>
  lines.flatMap((line) => {
    const events = parseCodexLine(line);
    if (events === null) throw new Error(`not a codex event: ${line}`);
    return events;
  });

describe("the codex --json of a real run", () => {
  it("reads every line: thread, errors, commands with exit code and output, a file change, the answer, the usage", () => {
    const events = eventsOf(fixture("exec")).filter((e) => e.kind !== "tool-started");
    expect(events.map((e) => e.kind)).toEqual([
      "thread",
      "error",
      "turn-started",
      "tool-completed",
      "tool-completed",
      "tool-completed",
      "tool-completed",
      "message",
      "usage",
    ]);
    const tools = events.filter((e) => e.kind === "tool-completed");
    expect(tools.map(({ tool, input, exitCode, isError }) => ({ tool, input, exitCode, isError }))).toEqual([
      { tool: "shell", input: `/bin/bash -c "cat -- '/work/grove/run/context-pack.md'"`, exitCode: 0, isError: false },
      { tool: "edit", input: "update /work/repo/README.md", exitCode: null, isError: false },
      { tool: "shell", input: "/bin/bash -c 'ls no-such-file'", exitCode: 2, isError: true },
      { tool: "shell", input: `/bin/bash -c "printf 'line one\\\\nline two\\\\n'"`, exitCode: 0, isError: false },
    ]);
    expect(tools[2]?.output).toBe("ls: cannot access 'no-such-file': No such file or directory\n");
    expect(events.find((e) => e.kind === "message")).toEqual({
      kind: "message",
      text: '{"status":"done","summary":"Patched the README title.","learnings":[],"files":["README.md"],"followUps":null}',
    });
    expect(events.at(-1)).toEqual({
      kind: "usage",
      usage: { inputTokens: 6000, cachedInputTokens: 1000, outputTokens: 200, reasoningOutputTokens: 40 },
    });
  });

  it("reads a refused turn as an error and a failed turn, each with the API's own message", () => {
    const events = eventsOf(fixture("refused"));
    expect(events.slice(-2)).toEqual([
      { kind: "error", message: "The model double refuses this request." },
      { kind: "turn-failed", message: "The model double refuses this request." },
    ]);
  });
});
