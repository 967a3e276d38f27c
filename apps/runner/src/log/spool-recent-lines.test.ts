import { encodeLogRowTail, parseRunLogBatch, type LogLine } from "@grove/core";
import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { expect, it } from "vitest";
import { createMemoryBudget, createRecentLines } from "./spool-recent-lines.ts";
import { encodeAppend } from "./spool-rows.ts";

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), fc.constant('"\\\u0000🌳'));

it("cuts any run of the lines it holds into a batch the hub reads back as those lines, within its limits (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(text, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 30 }),
      (appends, pick, maxBytes, maxLines) => {
        const recent = createRecentLines(createMemoryBudget(1024 * 1024));
        const held: LogLine[] = [];
        for (const texts of appends) {
          const firstSeq = held.length + 1;
          const tails = texts.map((t, i) => {
            held.push({ seq: firstSeq + i, stream: "stderr", text: t, ts: firstSeq + i });
            return encodeLogRowTail("stderr", t, firstSeq + i);
          });
          recent.add(encodeAppend({ firstSeq, tails }, "").block);
        }
        const from = (pick % held.length) + 1;
        const batch = recent.batchFrom(from, maxBytes, maxLines);
        if (!batch) throw new Error(`no batch from ${from}`);
        const parsed = parseRunLogBatch({ runId: "run", firstSeq: batch.firstSeq, lines: batch.body });
        if (!parsed.success) throw new Error(parsed.error);
        const lines = parsed.data.lines;
        expect(lines).toEqual(held.slice(from - 1, batch.lastSeq));
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.length).toBeLessThanOrEqual(maxLines);
        if (lines.length > 1) expect(batch.body.length).toBeLessThanOrEqual(maxBytes + 2);
        expect(recent.batchFrom(held.length + 1, maxBytes, maxLines)).toBeNull();
      },
    ),
    fuzzParameters(),
  );
});

it("forgets appends once all their lines are acknowledged, and keeps within its budget", () => {
  const budget = createMemoryBudget(100);
  const recent = createRecentLines(budget);
  const append = (firstSeq: number, count: number) =>
    recent.add(
      encodeAppend(
        { firstSeq, tails: Array.from({ length: count }, (_, i) => encodeLogRowTail("stdout", `l${firstSeq + i}`, 0)) },
        "",
      ).block,
    );
  append(1, 2);
  append(3, 2);
  recent.dropThrough(3);
  expect(recent.batchFrom(3, 1000, 10)).not.toBeNull();
  recent.dropThrough(4);
  expect(recent.batchFrom(4, 1000, 10)).toBeNull();
  for (let seq = 5; seq < 50; seq += 5) append(seq, 5);
  recent.fitBounds();
  expect(budget.used).toBeLessThanOrEqual(100);
  expect(recent.batchFrom(45, 1000, 10)?.lastSeq).toBe(49);
  recent.clear();
  expect(budget.used).toBe(0);
});
