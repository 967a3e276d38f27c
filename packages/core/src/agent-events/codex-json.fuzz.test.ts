import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { AgentUsageSchema } from "./agent-usage.ts";
import { parseClaudeStreamLine } from "./claude-stream.ts";
import { MAX_CODEX_TEXT, parseCodexLine } from "./codex-json.ts";
import { createUsageMeter } from "./usage-meter.ts";

const leaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant("x".repeat(MAX_CODEX_TEXT + 5)),
);
const type = fc.constantFrom(
  "thread.started",
  "turn.started",
  "turn.completed",
  "turn.failed",
  "error",
  "item.started",
  "item.completed",
  "result",
  "system",
);
const itemType = fc.constantFrom(
  "command_execution",
  "agent_message",
  "reasoning",
  "file_change",
  "mcp_tool_call",
  "web_search",
  "error",
  "todo_list",
);
const keys = [
  "id",
  "type",
  "text",
  "message",
  "command",
  "aggregated_output",
  "exit_code",
  "status",
  "changes",
  "thread_id",
  "usage",
  "input_tokens",
  "output_tokens",
  "session_id",
  "total_cost_usd",
  "num_turns",
];
const record = fc.dictionary(fc.constantFrom(...keys), fc.oneof(leaf, fc.array(leaf, { maxLength: 2 })), { maxKeys: 6 });
const event = fc.record(
  { type, item: fc.tuple(itemType, record).map(([t, r]) => ({ ...r, type: t })), usage: record, thread_id: leaf, error: record },
  { requiredKeys: ["type"] },
);
// Events as codex would print them, their JSON cut or spliced, and arbitrary text.
const line = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
  event.chain((e) => fc.nat().map((at) => JSON.stringify(e).slice(0, at % (JSON.stringify(e).length + 1)))),
  fc.string({ unit: "binary", maxLength: 60 }),
);

describe("codex --json parsing under arbitrary lines", () => {
  it("never throws, keeps every event bounded, and the usage it yields is always valid", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.option(fc.nat(), { nil: null }), (lines, processMs) => {
        const meter = createUsageMeter();
        for (const text of lines) {
          const events = parseCodexLine(text);
          for (const e of events ?? []) {
            // An agent's message is its answer, kept whole: no longer than the line it came in.
            const bound = e.kind === "message" ? text.length : MAX_CODEX_TEXT;
            for (const value of Object.values(e)) if (typeof value === "string") expect(value.length).toBeLessThanOrEqual(bound);
          }
          meter.observeCodex(events ?? []);
          const claude = parseClaudeStreamLine(text);
          if (claude) meter.observeClaude(claude);
        }
        const usage = meter.usage(processMs);
        if (usage !== null) expect(AgentUsageSchema.safeParse(usage).success).toBe(true);
      }),
      fuzzParameters(),
    );
  });
});
