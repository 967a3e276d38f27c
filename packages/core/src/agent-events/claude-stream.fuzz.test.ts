import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claudeStreamLine } from "../test-support/claude-stream-arbitrary.ts";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { parseClaudeStreamLine } from "./claude-stream.ts";

const line = claudeStreamLine();
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
