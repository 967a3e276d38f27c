import { encodeLogLines, LogStreamSchema, parseRunLogBatch } from "@grove/core";
import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { insertLogLines, listLogLines, listLogLinesOfStream } from "./log-lines.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;
let runs = 0;
beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  const runner = await db.runner.create({ data: { name: "r", tokenHash: "h" } });
  await db.agentSession.create({
    data: { id: "session-1", runnerId: runner.id, repoPath: "/tmp/x", integration: "main", createdBy: "u" },
  });
});
afterAll(() => cleanup());

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udc00y", "\u2028", '"', "\\", "é🌳", "%_", "[1,2]", ""),
);
const lines = fc.array(
  fc.record({
    stream: fc.constantFrom(...LogStreamSchema.options),
    text,
    ts: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
  }),
  { minLength: 1, maxLength: 8 },
);
// The JSON text a runner (or anything holding a runner token) may send for the same lines.
const spelling = fc.constantFrom(
  (body: string) => body,
  (body: string) => JSON.stringify(JSON.parse(body), null, 1),
  (body: string) => body.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  (body: string) => body.replace(/,(\d+)\]/g, ",$1.0]"),
  (body: string) => body.replace(/"/g, ' "').replace(/^ /, ""),
);

describe("stored log lines (property)", () => {
  it("a batch the hub accepts reads back from the store exactly as it was checked, whole and stream by stream", async () => {
    await fc.assert(
      fc.asyncProperty(lines, spelling, async (raw, spell) => {
        const parsed = parseRunLogBatch({
          runId: "r",
          firstSeq: 1,
          lines: spell(encodeLogLines(raw.map((l, i) => ({ ...l, seq: i + 1 })))),
        });
        if (!parsed.success) return;
        const run = await db.run.create({
          data: {
            sessionId: "session-1",
            agent: "demo",
            taskId: `t${++runs}`,
            profile: "demo",
            prompt: "",
            branch: `agent/demo/t${runs}`,
            state: "running",
          },
        });
        const { lines: checked, body } = parsed.data;
        expect(await insertLogLines(db, run.id, checked, body)).toBe(checked.length);
        expect(await listLogLines(db, run.id, 0, 100)).toEqual(checked);
        for (const stream of LogStreamSchema.options) {
          expect(await listLogLinesOfStream(db, run.id, stream, 0, 100)).toEqual(checked.filter((l) => l.stream === stream));
        }
      }),
      fuzzParameters(0.2),
    );
  });
});
