import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClaudeStream } from "./claude-stream.ts";

// Agent-controlled text, line breaks included (inside JSON strings they arrive escaped, on one stdout line).
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("a\nb", "\r\n", "\u001b[2K", "", "x".repeat(400)),
);
const loose = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
/** Mostly of the type Claude Code sends, sometimes anything. */
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
    subtype: fc.oneof(fc.constantFrom("init", "success", "error_max_turns"), text),
    model: mostly(text),
    session_id: mostly(text),
    message: mostly(fc.record({ content: fc.oneof(fc.array(part, { maxLength: 3 }), text) }, { requiredKeys: [] })),
    result: mostly(text),
    is_error: mostly(fc.boolean()),
    total_cost_usd: mostly(fc.double()),
    num_turns: mostly(fc.integer()),
  },
  { requiredKeys: ["type"] },
);
// One stdout line as Claude Code writes it (JSON), or not JSON at all, or JSON of something else.
const line = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replace(/\n/g, " ")) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") },
);

describe("Claude stream-json lines (property)", () => {
  it("any line renders to log lines, each one row (no line break), and never throws", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
        const stream = createClaudeStream();
        for (const raw of lines) {
          for (const rendered of stream.render(raw)) {
            expect(["stdout", "stderr"]).toContain(rendered.stream);
            expect(rendered.text).not.toContain("\n");
          }
        }
        const final = stream.final();
        if (final) expect(typeof final.text).toBe("string");
      }),
      fuzzParameters(),
    );
  });
});
