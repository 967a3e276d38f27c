import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, disconnectDb, queryDirect, type Db } from "./client.ts";
import { insertLogLines, listLogLines } from "./log-lines.ts";
import { ConnectionKeepingPg } from "./postgres-adapter.ts";
import { seedRun } from "./test-support/seed-run.ts";
import { makeTempDb, type TempDb } from "./test-support/temp-db.ts";

// PostgreSQL only (vitest.config.ts): its pool's end() waits for every connection it lent out.
let temp: TempDb;
let watcher: Db;
beforeAll(async () => {
  temp = await makeTempDb();
  watcher = await createDb(temp.url);
});
afterAll(async () => {
  await disconnectDb(watcher);
  await temp.cleanup();
});

const countSleepers = async () => {
  const [row] = await queryDirect<{ n: unknown }>(
    watcher,
    `SELECT count(*) AS "n" FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(%'`,
    [],
  );
  return Number(row?.n);
};
const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    seq: from + i,
    stream: "stdout" as const,
    text: `line ${from + i}`,
    ts: 1,
  }));

it("closes within its budget while a connection is held by a statement that does not end, keeping what was stored", async () => {
  const db = await createDb(temp.url);
  const { runId } = await seedRun(db);
  expect(await insertLogLines(db, runId, lines(1, 3))).toBe(3);
  const outcome = queryDirect(db, "SELECT pg_sleep(600)", []).then(
    () => "finished",
    () => "failed",
  );
  await expect.poll(countSleepers, { timeout: 10_000 }).toBe(1);

  expect(await disconnectDb(db, 200)).toBe(1);
  expect(await outcome).toBe("failed");
  expect((await listLogLines(watcher, runId, 0)).map((line) => line.seq)).toEqual([1, 2, 3]);
});

it("ends no connection when every one was handed back", async () => {
  const db = await createDb(temp.url);
  const { runId } = await seedRun(db);
  expect(await insertLogLines(db, runId, lines(1, 2))).toBe(2);
  expect(await disconnectDb(db, 200)).toBe(0);
  expect((await listLogLines(watcher, runId, 0)).map((line) => line.seq)).toEqual([1, 2]);
});

it("takes back a connection left in a transaction that nobody will end (what Prisma leaves when it disconnects as a write starts)", async () => {
  const factory = new ConnectionKeepingPg({ connectionString: temp.url });
  const adapter = await factory.connect();
  // Begun and never committed, rolled back or released: the pool's end() alone would wait for it forever.
  await adapter.startTransaction();
  const countOpen = async () => {
    const [row] = await queryDirect<{ n: unknown }>(
      watcher,
      `SELECT count(*) AS "n" FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
      [],
    );
    return Number(row?.n);
  };
  expect(await countOpen()).toBe(1);

  expect(await factory.endCheckedOut()).toBe(1);
  await adapter.dispose();
  await expect.poll(countOpen, { timeout: 10_000 }).toBe(0);
});
