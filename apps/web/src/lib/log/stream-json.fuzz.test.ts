import { claudeStreamLine, fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStreamJson } from "./stream-json.ts";

// Agent-controlled text that the browser must show as text.
const line = claudeStreamLine(["  \n  ", "x".repeat(1000), "<script>"]);

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
