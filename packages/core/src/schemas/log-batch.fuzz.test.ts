import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { MAX_LOG_BATCH_CHARS, MAX_LOG_BATCH_LINES, parseRunLogBatch } from "./log-batch.ts";
import { encodeLogLines, LogLineSchema, LogStreamSchema, MAX_LOG_LINE_CHARS, type LogLine } from "./log-row.ts";

const text = fc.oneof(
  { weight: 30, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "x".repeat(MAX_LOG_LINE_CHARS),
      "x".repeat(MAX_LOG_LINE_CHARS + 1),
      "\ud800",
      '"]],[',
      "\u001b]8;;",
    ),
  },
);
const ts = fc.oneof(
  { weight: 30, arbitrary: fc.nat() },
  fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, 1.5, -0),
);
const line = fc.record({
  stream: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...LogStreamSchema.options) }, fc.constantFrom("stdin", "")),
  text,
  ts,
});
const firstSeq = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
  fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER - 5, Number.MAX_SAFE_INTEGER),
);
const runId = fc.oneof({ weight: 8, arbitrary: fc.constant("run-1") }, fc.string({ maxLength: 210 }));

// The body as encodeLogLines writes it (lines may break a rule), or that text damaged: cut, spliced, reformatted.
const body = fc.array(line, { minLength: 0, maxLength: 12 }).chain((lines) => {
  const encoded = encodeLogLines(lines.map((l, i) => ({ ...l, seq: i + 1 }) as LogLine));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(encoded) },
    fc.nat().map((at) => encoded.slice(0, at % (encoded.length + 1))),
    fc
      .tuple(fc.nat(), fc.constantFrom(",", "]", "[", '"', "\\", " ", "\ufeff", "1e400", "null", '"__proto__":1'))
      .map(([at, insert]) => {
        const cut = at % (encoded.length + 1);
        return encoded.slice(0, cut) + insert + encoded.slice(cut);
      }),
    fc.constant(JSON.stringify(JSON.parse(encoded), null, 1)),
  );
});
const lines = fc.oneof(
  { weight: 3, arbitrary: body },
  body.map((b) => new TextEncoder().encode(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ""),
  fc.anything({ maxDepth: 2 }),
);
const payload = fc.oneof(
  { weight: 6, arbitrary: fc.record({ runId, firstSeq, lines }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2, withTypedArray: true }) },
);

describe("run:log batches (property)", () => {
  it("any payload is refused with a reason, or accepted with every bound held and its body reading back as its lines", () => {
    let accepted = 0;
    fc.assert(
      fc.property(payload, (input) => {
        const parsed = parseRunLogBatch(input);
        if (!parsed.success) {
          expect(typeof parsed.error).toBe("string");
          expect(parsed.error.length).toBeGreaterThan(0);
          return;
        }
        accepted++;
        const sent = input as { runId: string; firstSeq: number; lines: string | Uint8Array };
        const { runId, lines, body } = parsed.data;
        expect(runId).toBe(sent.runId);
        expect(runId.length).toBeGreaterThanOrEqual(1);
        expect(runId.length).toBeLessThanOrEqual(200);
        expect(lines.length).toBeGreaterThanOrEqual(1);
        expect(lines.length).toBeLessThanOrEqual(MAX_LOG_BATCH_LINES);
        expect(typeof sent.lines === "string" ? sent.lines.length : sent.lines.byteLength).toBeLessThanOrEqual(
          MAX_LOG_BATCH_CHARS,
        );
        lines.forEach((l, i) => {
          expect(LogLineSchema.safeParse(l).success).toBe(true);
          expect(l.seq).toBe(sent.firstSeq + i);
          expect(l.text.length).toBeLessThanOrEqual(MAX_LOG_LINE_CHARS);
        });
        expect(Number.isSafeInteger((lines.at(-1)?.seq ?? 0) + 1)).toBe(true);
        // The hub stores `body` as it is and reads lines back from it: it must say exactly what was checked.
        expect(JSON.parse(body)).toEqual(lines.map((l) => [l.stream, l.text, l.ts]));
      }),
      fuzzParameters(),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("every batch the runner encodes within the limits is accepted whole, as text or as bytes", () => {
    const valid = fc.array(
      fc.record({
        stream: fc.constantFrom(...LogStreamSchema.options),
        text: fc.string({ unit: "binary", maxLength: 60 }),
        ts: fc.maxSafeNat(),
      }),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(valid, fc.integer({ min: 1, max: 2 ** 40 }), fc.boolean(), (raw, first, asBytes) => {
        const sent: LogLine[] = raw.map((l, i) => ({ ...l, seq: first + i }));
        const encoded = encodeLogLines(sent);
        const parsed = parseRunLogBatch({
          runId: "run-1",
          firstSeq: first,
          lines: asBytes ? new TextEncoder().encode(encoded) : encoded,
        });
        expect(parsed.success && parsed.data.lines).toEqual(sent);
      }),
      fuzzParameters(),
    );
  });
});
