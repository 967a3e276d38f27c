import { describe, expect, it } from "vitest";
import { MAX_LOG_BATCH_LINES, parseRunLogBatch } from "./log-batch.ts";
import { encodeLogLines, LogLineSchema, MAX_LOG_LINE_CHARS, type LogLine } from "./log-row.ts";

const good: LogLine = { seq: 1, stream: "stdout", text: 'hello \u001b[32mgreen\u001b[0m "quoted" \\ 🌳', ts: 1_700_000_000_000 };
const batch = (lines: unknown, extra: object = {}) => ({ runId: "run-1", firstSeq: 7, lines, ...extra });

describe("parseRunLogBatch", () => {
  it("reads back what encodeLogLines wrote, seqs counted from firstSeq, body kept as received", () => {
    const lines: LogLine[] = (["stdout", "stderr", "test", "system"] as const).map((stream, i) => ({
      ...good,
      seq: 7 + i,
      stream,
      text: `${good.text} ${i}`,
      // The runner's kind of a row it rendered from an agent's events travels with it.
      ...(stream === "stderr" ? { kind: "error" as const } : {}),
    }));
    const body = encodeLogLines(lines);
    const parsed = parseRunLogBatch(batch(body));
    expect(parsed).toEqual({ success: true, data: { runId: "run-1", lines, body } });
    for (const line of lines) expect(LogLineSchema.parse(line)).toEqual(line);
  });

  it("reads the same batch sent as UTF-8 bytes (the runner's binary frame), body decoded to the same text", () => {
    const body = encodeLogLines([good, { ...good, seq: 8, stream: "stderr", text: "ünïcødé ✓" }]);
    const fromBytes = parseRunLogBatch(batch(new TextEncoder().encode(body)));
    expect(fromBytes).toEqual(parseRunLogBatch(batch(body)));
    expect(fromBytes.success && fromBytes.data.body).toBe(body);
    // Bytes that are not UTF-8 become U+FFFD in the text; the batch is still valid JSON.
    const broken = Buffer.concat([Buffer.from('[["stdout","a'), Buffer.from([0xff, 0xfe]), Buffer.from('b",1]]')]);
    const parsed = parseRunLogBatch(batch(broken));
    expect(parsed.success && parsed.data.lines[0]?.text).toBe("a\ufffd\ufffdb");
  });

  it("accepts the limits exactly", () => {
    const max = Array.from({ length: MAX_LOG_BATCH_LINES }, (_, i) => ({ ...good, seq: 7 + i }));
    expect(parseRunLogBatch(batch(encodeLogLines(max))).success).toBe(true);
    expect(
      parseRunLogBatch(batch(encodeLogLines([{ ...good, seq: 7, text: "x".repeat(MAX_LOG_LINE_CHARS), ts: 0 }]))).success,
    ).toBe(true);
  });

  const refused: [string, unknown][] = [
    ["not an object", "batch"],
    ["no runId", { firstSeq: 1, lines: "[]" }],
    ["empty runId", batch(encodeLogLines([good]), { runId: "" })],
    ["firstSeq 0", batch(encodeLogLines([good]), { firstSeq: 0 })],
    ["fractional firstSeq", batch(encodeLogLines([good]), { firstSeq: 1.5 })],
    ["huge firstSeq", batch(encodeLogLines([good]), { firstSeq: Number.MAX_SAFE_INTEGER })],
    ["lines not a string", batch([["stdout", "x", 1]])],
    ["lines as too few bytes", batch(new Uint8Array([0x5b]))],
    ["lines as bytes that are not JSON", batch(new TextEncoder().encode('[["stdout","x",1]'))],
    ["lines not JSON", batch('[["stdout","x",1]')],
    ["lines not an array", batch('{"0":["stdout","x",1]}')],
    ["no lines", batch("[]")],
    ["too many lines", batch(encodeLogLines(Array.from({ length: MAX_LOG_BATCH_LINES + 1 }, () => good)))],
    ["a line as an object", batch(JSON.stringify([good]))],
    ["a line too short", batch('[["stdout","x"]]')],
    ["a line too long", batch('[["stdout","x",1,"tool","x"]]')],
    ["a row kind that is none of the list", batch('[["stdout","x",1,2]]')],
    ["a row kind of colour codes", batch(JSON.stringify([["stdout", "x", 1, "\u001b[36m"]]))],
    ["an unknown stream", batch('[["stdin","x",1]]')],
    ["text not a string", batch('[["stdout",42,1]]')],
    ["text too long", batch(JSON.stringify([["stdout", "x".repeat(MAX_LOG_LINE_CHARS + 1), 1]]))],
    ["negative ts", batch('[["stdout","x",-1]]')],
    ["fractional ts", batch('[["stdout","x",1.5]]')],
    ["ts a string", batch('[["stdout","x","1"]]')],
  ];
  it.each(refused)("refuses %s", (_name, payload) => {
    const parsed = parseRunLogBatch(payload);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.length).toBeGreaterThan(0);
  });

  it("names the offending line", () => {
    expect(parseRunLogBatch(batch('[["stdout","a",1],["stdout","b",2],["stdout","c",-3]]'))).toEqual({
      success: false,
      error: "lines.2 ts must be a non-negative integer",
    });
  });
});
