import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { MAX_SOCKET_MESSAGE_BYTES } from "./events.ts";
import { cutToJsonBytes, fitsSocketMessage, socketMessageBytes } from "./socket-message.ts";

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
// Text of every cost on the wire: ASCII, escapes, two-, three- and four-byte characters, lone surrogates.
const wireText = fc.string({
  unit: fc.constantFrom("a", '"', "\\", "\n", "\u0001", "é", "語", "😀", "\ud800", "\udc00"),
  maxLength: 400,
});

describe("socket message sizes (property)", () => {
  it("a cut text's JSON form fits its byte budget, and one more character would not", () => {
    fc.assert(
      fc.property(wireText, fc.integer({ min: 2, max: 2000 }), (text, maxBytes) => {
        const cut = cutToJsonBytes(text, maxBytes);
        expect(text.startsWith(cut.text)).toBe(true);
        expect(cut.isCut).toBe(cut.text.length < text.length);
        expect(jsonBytes(cut.text)).toBeLessThanOrEqual(maxBytes);
        if (cut.isCut) {
          // The next character (or surrogate pair) is what did not fit.
          const next = text.codePointAt(cut.text.length) ?? 0;
          const isPair = next > 0xffff;
          expect(jsonBytes(text.slice(0, cut.text.length + (isPair ? 2 : 1)))).toBeGreaterThan(maxBytes);
        }
      }),
      fuzzParameters(),
    );
  });

  it("counts at least the JSON bytes of any payload, and binary as base64", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 3000 }), (value, bytes) => {
        expect(socketMessageBytes([value])).toBeGreaterThanOrEqual(jsonBytes([value]));
        expect(socketMessageBytes([{ value, bytes: Buffer.from(bytes) }])).toBeGreaterThanOrEqual(
          jsonBytes([{ value, bytes: 0 }]) + Buffer.from(bytes).toString("base64").length,
        );
      }),
      fuzzParameters(0.2),
    );
  });

  it("refuses what the hub would drop: 2 MiB of text, or 1.6 MB of binary (base64 over polling)", () => {
    expect(fitsSocketMessage([{ text: "a".repeat(MAX_SOCKET_MESSAGE_BYTES) }])).toBe(false);
    expect(fitsSocketMessage([{ text: "語".repeat(700_000) }])).toBe(false);
    expect(fitsSocketMessage([{ lines: new Uint8Array(1_600_000) }])).toBe(false);
    expect(fitsSocketMessage([{ lines: new Uint8Array(1_000_000) }])).toBe(true);
  });
});
