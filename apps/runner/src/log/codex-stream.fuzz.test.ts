import { AgentUsageSchema, createUsageMeter } from "@grove/core";
import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCodexStream } from "./codex-stream.ts";

// Agent-controlled text, line breaks included (inside JSON strings they arrive escaped, on one stdout line).
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("a\nb", "\r\n", "\u001b[2K", "", "x".repeat(9_000)),
);
const loose = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
const mostly = <T>(typed: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: loose });
const item = fc.record(
  {
    id: mostly(text),
    type: fc.oneof(
      fc.constantFrom("command_execution", "agent_message", "reasoning", "file_change", "mcp_tool_call", "web_search", "error"),
      text,
    ),
    text: mostly(text),
    message: mostly(text),
    command: mostly(text),
    aggregated_output: mostly(text),
    exit_code: mostly(fc.oneof(fc.integer(), fc.constant(null))),
    status: mostly(fc.constantFrom("completed", "failed", "in_progress", "declined")),
    changes: mostly(fc.array(fc.record({ path: mostly(text), kind: mostly(text) }), { maxLength: 2 })),
  },
  { requiredKeys: ["type"] },
);
const count = mostly(fc.oneof(fc.nat(), fc.integer(), fc.double()));
const event = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(
        "thread.started",
        "turn.started",
        "turn.completed",
        "turn.failed",
        "item.started",
        "item.completed",
        "error",
      ),
      text,
    ),
    thread_id: mostly(text),
    item: mostly(item),
    usage: mostly(
      fc.record(
        { input_tokens: count, cached_input_tokens: count, output_tokens: count, reasoning_output_tokens: count },
        { requiredKeys: [] },
      ),
    ),
    message: mostly(text),
    error: mostly(fc.record({ message: mostly(text) }, { requiredKeys: [] })),
  },
  { requiredKeys: ["type"] },
);
// One stdout line as codex writes it (JSON), or not JSON at all, or JSON of something else.
const line = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replace(/\n/g, " ")) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") },
);

describe("codex --json lines (property)", () => {
  it("any line renders to log lines, each one row (no line break), never throws, and the usage stays valid", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const meter = createUsageMeter();
        const stream = createCodexStream(meter);
        for (const raw of lines) {
          for (const rendered of stream.render(raw)) {
            expect(["stdout", "stderr"]).toContain(rendered.stream);
            expect(rendered.text).not.toContain("\n");
          }
        }
        const usage = meter.usage(1);
        if (usage) expect(AgentUsageSchema.parse(usage)).toEqual(usage);
      }),
      fuzzParameters(),
    );
  });
});
