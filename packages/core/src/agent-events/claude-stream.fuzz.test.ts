import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { parseClaudeStreamLine } from "./claude-stream.ts";

const text = fc.oneof(fc.string({ unit: "binary", maxLength: 30 }), fc.constantFrom("a\nb", "", "__proto__", "x".repeat(400)));
const loose = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
const mostly = <T>(typed: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: loose });
const part = fc.record(
  {
    type: fc.oneof(fc.constantFrom("text", "tool_use", "tool_result"), text),
    text: mostly(text),
    name: mostly(text),
    input: loose,
    content: loose,
    is_error: mostly(fc.boolean()),
  },
  { requiredKeys: ["type"] },
);
const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom("system", "assistant", "user", "result"), text),
    subtype: mostly(text),
    model: mostly(text),
    session_id: mostly(text),
    tools: mostly(fc.array(loose, { maxLength: 3 })),
    message: mostly(fc.record({ content: fc.oneof(fc.array(part, { maxLength: 3 }), text) }, { requiredKeys: [] })),
    result: mostly(text),
    is_error: mostly(fc.boolean()),
    total_cost_usd: mostly(fc.double()),
    num_turns: mostly(fc.integer()),
    duration_ms: mostly(fc.double()),
  },
  { requiredKeys: ["type"] },
);
const line = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") },
);
const KINDS = ["system", "message", "result", "other"];
const BLOCK_KINDS = ["text", "tool-use", "tool-result", "other"];

describe("Claude stream-json parser (property)", () => {
  it("any line is no event or one typed event, never a throw; the known event types always read as themselves", () => {
    let events = 0;
    fc.assert(
      fc.property(line, (raw) => {
        const parsed = parseClaudeStreamLine(raw);
        if (parsed === null) return;
        events++;
        expect(KINDS).toContain(parsed.kind);
        if (parsed.kind === "message") for (const block of parsed.blocks ?? []) expect(BLOCK_KINDS).toContain(block.kind);
        if (parsed.kind === "other") expect(["system", "assistant", "user", "result"]).not.toContain(parsed.type);
      }),
      fuzzParameters(),
    );
    expect(events).toBeGreaterThan(0);
  });
});
