import { claudeStreamLine, fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClaudeStream } from "./claude-stream.ts";

// Agent-controlled text, terminal escapes included.
const line = claudeStreamLine(["\u001b[2K"]);

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
