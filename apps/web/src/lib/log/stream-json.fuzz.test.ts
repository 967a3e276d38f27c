import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStreamJson } from "./stream-json.ts";

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("a\nb", "  \n  ", "", "x".repeat(1000), "<script>"),
);
const loose = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
const mostly = <T>(typed: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: loose });
const block = fc.record(
  {
    type: fc.oneof(fc.constantFrom("text", "tool_use", "tool_result"), text),
    text: mostly(text),
    name: mostly(text),
    input: mostly(fc.dictionary(fc.constantFrom("command", "path", "__proto__", "x"), loose)),
    content: mostly(fc.oneof(text, fc.array(fc.record({ type: text, text }), { maxLength: 2 }))),
    is_error: mostly(fc.boolean()),
  },
  { requiredKeys: ["type"] },
);
const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom("system", "assistant", "user", "result"), text),
    subtype: mostly(text),
    model: mostly(text),
    tools: mostly(fc.array(loose, { maxLength: 3 })),
    message: mostly(fc.record({ content: fc.oneof(fc.array(block, { maxLength: 3 }), text) })),
    result: mostly(text),
    is_error: mostly(fc.boolean()),
    num_turns: mostly(fc.double()),
    duration_ms: mostly(fc.double()),
    total_cost_usd: mostly(fc.double()),
  },
  { requiredKeys: ["type"] },
);
const line = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
);

describe("stream-json rows (property)", () => {
  it("any log line is plain (null) or events whose texts are one short line — never a throw", () => {
    let events = 0;
    fc.assert(
      fc.property(line, (raw) => {
        const parsed = parseStreamJson(raw);
        if (parsed === null) return;
        for (const e of parsed) {
          events++;
          expect(e.text).not.toContain("\n");
          expect(e.text.length).toBeLessThanOrEqual(1000);
        }
      }),
      fuzzParameters(),
    );
    expect(events).toBeGreaterThan(0);
  });
});
