import { describe, expect, it } from "vitest";
import { MAX_LOG_BATCH_LINES, MAX_LOG_LINE_CHARS, parseRunLogBatch, RunLogBatchSchema } from "./events.ts";

const good = { seq: 1, stream: "stdout", text: "hello \u001b[32mgreen\u001b[0m", ts: 1_700_000_000_000 };

// Every way a line or a batch can be wrong, next to variants that are right.
const lineVariants: unknown[] = [
  good,
  { ...good, extra: "stripped" },
  { ...good, stream: "stderr" },
  { ...good, stream: "test" },
  { ...good, stream: "system" },
  { ...good, text: "" },
  { ...good, text: "x".repeat(MAX_LOG_LINE_CHARS) },
  { ...good, ts: 0 },
  { ...good, seq: Number.MAX_SAFE_INTEGER },
  { ...good, seq: 0 },
  { ...good, seq: -1 },
  { ...good, seq: 1.5 },
  { ...good, seq: 2 ** 60 },
  { ...good, seq: "1" },
  { ...good, seq: Number.NaN },
  { ...good, stream: "stdin" },
  { ...good, stream: undefined },
  { ...good, text: "x".repeat(MAX_LOG_LINE_CHARS + 1) },
  { ...good, text: 42 },
  { ...good, text: null },
  { ...good, ts: -1 },
  { ...good, ts: 1.25 },
  { ...good, ts: Number.POSITIVE_INFINITY },
  { seq: 1, stream: "stdout", text: "no ts" },
  null,
  "line",
  [1, "stdout", "text", 1],
];

const batches: unknown[] = [
  ...lineVariants.map((line) => ({ runId: "run-1", lines: [good, line] })),
  { runId: "run-1", lines: [] },
  { runId: "run-1", lines: Array.from({ length: MAX_LOG_BATCH_LINES }, (_, i) => ({ ...good, seq: i + 1 })) },
  { runId: "run-1", lines: Array.from({ length: MAX_LOG_BATCH_LINES + 1 }, (_, i) => ({ ...good, seq: i + 1 })) },
  { runId: "", lines: [good] },
  { runId: "r".repeat(200), lines: [good] },
  { runId: "r".repeat(201), lines: [good] },
  { runId: 7, lines: [good] },
  { lines: [good] },
  { runId: "run-1", lines: "not an array" },
  { runId: "run-1", lines: { 0: good, length: 1 } },
  null,
  undefined,
  "batch",
];

describe("parseRunLogBatch", () => {
  it.each(batches.map((batch, i) => [i, batch]))("agrees with RunLogBatchSchema on case %i", (_i, batch) => {
    const expected = RunLogBatchSchema.safeParse(batch);
    const actual = parseRunLogBatch(batch);
    expect(actual.success).toBe(expected.success);
    if (actual.success && expected.success) expect(actual.data).toEqual(expected.data);
    if (!actual.success) expect(actual.error.length).toBeGreaterThan(0);
  });

  it("names the offending line", () => {
    const result = parseRunLogBatch({ runId: "run-1", lines: [good, good, { ...good, seq: 0 }] });
    expect(result).toEqual({ success: false, error: "lines.2.seq must be a positive integer" });
  });
});
