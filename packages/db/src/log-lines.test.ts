import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { insertLogLines, listLogLines } from "./log-lines.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;
let runId: string;

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  const runner = await db.runner.create({ data: { name: "r", tokenHash: "h" } });
  await db.agentSession.create({
    data: { id: "session-1", runnerId: runner.id, repoPath: "/tmp/x", integration: "main", createdBy: "u" },
  });
  runId = (
    await db.run.create({
      data: { sessionId: "session-1", agent: "demo", taskId: "t1", profile: "demo", prompt: "", branch: "agent/demo/t1", state: "running" },
    })
  ).id;
});
afterAll(() => cleanup());

const line = (seq: number) => ({ seq, stream: "stdout" as const, text: `line ${seq} \u001b[32mgreen\u001b[0m 'quoted'`, ts: 1000 + seq });

it("persists batches idempotently and acks only the contiguous prefix", async () => {
  expect(await insertLogLines(db, runId, [1, 2, 3].map(line))).toBe(3);
  expect(await insertLogLines(db, runId, [2, 3, 4].map(line))).toBe(4);
  // A batch after a gap is stored but not acknowledged past the gap.
  expect(await insertLogLines(db, runId, [7, 8].map(line))).toBe(4);
  expect(await insertLogLines(db, runId, [5, 6].map(line))).toBe(8);
  const stored = await listLogLines(db, runId, 0);
  expect(stored.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(stored[0]?.text).toBe(line(1).text);
  expect((await listLogLines(db, runId, 6)).map((l) => l.seq)).toEqual([7, 8]);
});

it("stores a large batch", async () => {
  const lines = Array.from({ length: 3000 }, (_, i) => line(9 + i));
  expect(await insertLogLines(db, runId, lines)).toBe(3008);
});

it("finds lines stored past a gap once the gap is filled, whatever the batch shape", async () => {
  const before = (await listLogLines(db, runId, 0)).length;
  expect(await insertLogLines(db, runId, [before + 3, before + 2].map(line))).toBe(before);
  expect(await insertLogLines(db, runId, [line(before + 1)])).toBe(before + 3);
  // A resend of already stored lines changes nothing and acks the same watermark.
  expect(await insertLogLines(db, runId, [before + 1, before + 2].map(line))).toBe(before + 3);
  expect(await insertLogLines(db, runId, [])).toBe(before + 3);
  const stored = await listLogLines(db, runId, before);
  expect(stored.map((l) => l.seq)).toEqual([before + 1, before + 2, before + 3]);
});

it("keeps text byte for byte: ANSI, quotes, backslashes, unicode, JSON-looking text", async () => {
  const start = (await listLogLines(db, runId, 0)).length + 1;
  const texts = ["\u001b[1;31mred\u001b[0m", `"quoted" 'single' \\ back\\slash`, "emoji 🌳 ünïcødé 中文", '{"seq": 1, "text": "x"}', "tab\there", ""];
  const lines = texts.map((text, i) => ({ seq: start + i, stream: i % 2 ? ("stderr" as const) : ("stdout" as const), text, ts: 10 ** 12 + i }));
  expect(await insertLogLines(db, runId, lines)).toBe(start + texts.length - 1);
  expect(await listLogLines(db, runId, start - 1)).toEqual(lines);
});
