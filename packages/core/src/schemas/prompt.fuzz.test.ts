import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { MAX_PROMPT_BYTES, PromptSchema } from "./prompt.ts";

const encoder = new TextEncoder();
// Near the limit in every width of UTF-8, lone surrogates (3 bytes each once encoded) and NUL included.
const unit = fc.constantFrom("a", "é", "€", "🌳", "\ud800", "\udc00", "\u0000", "\u001b", "\t", "\n", "\u007f");
const prompt = fc
  .tuple(unit, fc.integer({ min: 0, max: 4 }), fc.string({ unit, maxLength: 8 }))
  .map(
    ([u, width, tail]) =>
      `${u.repeat(Math.floor(MAX_PROMPT_BYTES / Math.max(1, encoder.encode(u).byteLength)) - 4 + width)}${tail}`,
  );

describe("prompts (property)", () => {
  it("a prompt is accepted exactly when its UTF-8 fits the limit and it holds no control character but tab and line breaks", () => {
    fc.assert(
      fc.property(fc.oneof(prompt, fc.string({ unit: "binary", maxLength: 50 })), (text) => {
        const isControl = (c: string) => (c <= "\u001f" && !"\t\n\r".includes(c)) || c === "\u007f";
        const fits = encoder.encode(text).byteLength <= MAX_PROMPT_BYTES && ![...text].some(isControl);
        expect(PromptSchema.safeParse(text).success).toBe(fits);
      }),
      fuzzParameters(0.2),
    );
  });
});
