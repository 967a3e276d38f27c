import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, disconnectDb, type Db } from "./client.ts";
import { insertLogLines, listLogLines } from "./log-lines.ts";
import { seedRun } from "./test-support/seed-run.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let first: Db;
let second: Db;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const temp = await makeTempDb();
  first = temp.db;
  second = await createDb(temp.url);
  cleanup = async () => {
    await disconnectDb(second);
    await temp.cleanup();
  };
});
afterAll(() => cleanup());

it("stores a batch that two instances (two clients) receive at the same moment exactly once", async () => {
  const { runId } = await seedRun(first);
  const BATCH = 20;
  for (let round = 0; round < 25; round++) {
    const lines = Array.from({ length: BATCH }, (_, i) => {
      const seq = round * BATCH + i + 1;
      return { seq, stream: "stdout" as const, text: `line ${seq}`, ts: seq };
    });
    const acks = await Promise.all([insertLogLines(first, runId, lines), insertLogLines(second, runId, lines)]);
    expect(acks).toEqual([(round + 1) * BATCH, (round + 1) * BATCH]);
  }
  const stored = await listLogLines(second, runId, 0, 10_000);
  expect(stored.map((line) => line.seq)).toEqual(Array.from({ length: 25 * BATCH }, (_, i) => i + 1));
  expect((await first.run.findUniqueOrThrow({ where: { id: runId } })).lastSeq).toBe(25 * BATCH);
});
