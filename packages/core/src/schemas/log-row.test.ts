import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import {
  checkLogRow,
  cutSeqRow,
  decodeSeqRow,
  encodeLogLines,
  encodeLogRow,
  encodeLogRowTail,
  encodeSeqRow,
  LOG_ROW,
  LogLineSchema,
  LogRowKindSchema,
  LogStreamSchema,
  MAX_LOG_LINE_CHARS,
  readStoredLogRow,
  type LogLine,
} from "./log-row.ts";

const line: LogLine = { seq: 3, stream: "stderr", text: 'a "quoted" \\ 🌳\u0000', ts: 1_700_000_000_000 };

describe("the log row [stream, text, ts]", () => {
  it("puts each field at the index LOG_ROW names (the db's SQL reads rows by these)", () => {
    const row = JSON.parse(encodeLogRow({ ...line, kind: "tool" })) as unknown[];
    expect(row).toHaveLength(Object.keys(LOG_ROW).length);
    expect(row[LOG_ROW.stream]).toBe(line.stream);
    expect(row[LOG_ROW.text]).toBe(line.text);
    expect(row[LOG_ROW.ts]).toBe(line.ts);
    expect(row[LOG_ROW.kind]).toBe("tool");
    expect(JSON.parse(encodeLogRow(line))).toHaveLength(3);
    expect(encodeLogLines([line, line])).toBe(`[${encodeLogRow(line)},${encodeLogRow(line)}]`);
  });

  it("writes a row's text as JSON.stringify writes the array (the runner encodes rows without one)", () => {
    const texts = ['a "quoted" \\ 🌳\u0000', "\ud800 lone", "\u001b[31mred\n", ""];
    for (const text of texts)
      for (const kind of [undefined, "tool"] as const) {
        const row: unknown[] = ["stderr", text, 1_700_000_000_000];
        if (kind) row.push(kind);
        expect(`[${encodeLogRowTail("stderr", text, 1_700_000_000_000, kind)}`).toBe(JSON.stringify(row));
      }
  });

  it("says what is wrong with a row that is not one", () => {
    expect(checkLogRow(["stdout", "x", 0])).toBeNull();
    expect(checkLogRow(["stdout", "x", 0, "final"])).toBeNull();
    expect(checkLogRow(["stdout", "x"])).toBe("must be [stream, text, ts] or [stream, text, ts, kind]");
    expect(checkLogRow({ stream: "stdout", text: "x", ts: 0 })).toBe("must be [stream, text, ts] or [stream, text, ts, kind]");
    expect(checkLogRow(["stdout", "x", 0, "final", "extra"])).toMatch(/^must be/);
    // The kind is a closed list: a runner cannot store anything else in it.
    expect(checkLogRow(["stdout", "x", 0, "\u001b[36m"])).toMatch(/^kind must be one of session, message/);
    expect(checkLogRow(["stdout", "x", 0, null])).toMatch(/^kind must be one of/);
    expect(checkLogRow(["debug", "x", 0])).toMatch(/^stream must be one of stdout, stderr/);
    expect(checkLogRow(["stdout", "x".repeat(MAX_LOG_LINE_CHARS + 1), 0])).toMatch(/^text must be a string/);
    expect(checkLogRow(["stdout", "x", -1])).toBe("ts must be a non-negative integer");
    expect(checkLogRow(["stdout", "x", 1.5])).toBe("ts must be a non-negative integer");
  });

  it("reads a stored row without failing: a damaged field reads as a system line, empty text, ts 0", () => {
    expect(readStoredLogRow(JSON.parse(encodeLogRow(line)), 3)).toEqual(line);
    expect(readStoredLogRow([7, null], 9)).toEqual({ seq: 9, stream: "system", text: "", ts: 0 });
    expect(readStoredLogRow("not a row", 1)).toEqual({ seq: 1, stream: "system", text: "", ts: 0 });
    expect(readStoredLogRow(["stdout", "x", 1, "tool"], 2)).toEqual({ seq: 2, stream: "stdout", text: "x", ts: 1, kind: "tool" });
    expect(readStoredLogRow(["stdout", "x", 1, "bogus"], 2)).toEqual({ seq: 2, stream: "stdout", text: "x", ts: 1 });
  });

  it("keeps the seq in front in the spool, and cuts it off again without decoding", () => {
    const row = encodeLogRow(line);
    const seqRow = encodeSeqRow(line.seq, row);
    expect(JSON.parse(seqRow)).toEqual([line.seq, line.stream, line.text, line.ts]);
    expect(cutSeqRow(seqRow)).toEqual({ seq: line.seq, row });
    expect(decodeSeqRow(JSON.parse(seqRow))).toEqual(line);
    expect(cutSeqRow('{"seq":1}')).toBeNull();
    expect(decodeSeqRow([0, "stdout", "x", 1])).toBeNull();
    expect(decodeSeqRow([1, "stdout", "x", 1, "extra"])).toBeNull();
    expect(decodeSeqRow([1, "stdout", "x", 1, "outcome"])).toEqual({
      seq: 1,
      stream: "stdout",
      text: "x",
      ts: 1,
      kind: "outcome",
    });
    expect(decodeSeqRow([1.5, "stdout", "x", 1])).toBeNull();
  });
});

describe("the log row (property)", () => {
  const lines = fc.record(
    {
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      stream: fc.constantFrom(...LogStreamSchema.options),
      text: fc.oneof(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom("", "\u2028", '"],[', "x".repeat(MAX_LOG_LINE_CHARS)),
      ),
      ts: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      kind: fc.option(fc.constantFrom(...LogRowKindSchema.options), { nil: undefined }),
    },
    { requiredKeys: ["seq", "stream", "text", "ts"] },
  );

  it("any line survives the row and the seq row, and checks as LogLineSchema checks it", () => {
    fc.assert(
      fc.property(lines, (l) => {
        const row = encodeLogRow(l);
        expect(checkLogRow(JSON.parse(row))).toBeNull();
        expect(LogLineSchema.safeParse(l).success).toBe(true);
        const seqRow = encodeSeqRow(l.seq, row);
        expect(cutSeqRow(seqRow)).toEqual({ seq: l.seq, row });
        expect(decodeSeqRow(JSON.parse(seqRow))).toEqual(l);
        expect(readStoredLogRow(JSON.parse(row), l.seq)).toEqual(l);
      }),
      fuzzParameters(),
    );
  });

  it("a decoded seq row is a line exactly when LogLineSchema says so", () => {
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom("stdout", "system", "tool", 0, 1, -1, 2.5, Number.MAX_SAFE_INTEGER + 2),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 3, maxLength: 6 }), (value) => {
        const [seq, stream, text, ts, kind] = value;
        const isLine =
          (value.length === 4 || (value.length === 5 && kind !== undefined)) &&
          LogLineSchema.safeParse({ seq, stream, text, ts, kind }).success;
        expect(decodeSeqRow(value) !== null).toBe(isLine);
      }),
      fuzzParameters(),
    );
  });
});
