import { afterAll, beforeAll, expect, it } from "vitest";
import { queryDirect, type Db } from "./client.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

const settings = async () => ({
  synchronous: (await queryDirect<{ synchronous: unknown }>(db, "PRAGMA synchronous", []))[0]?.synchronous,
  timeout: (await queryDirect<{ timeout: unknown }>(db, "PRAGMA busy_timeout", []))[0]?.timeout,
  journal: (await queryDirect<{ journal_mode: unknown }>(db, "PRAGMA journal_mode", []))[0]?.journal_mode,
});

it("sets up the connection libsql opens after each interactive transaction like the first one", async () => {
  const expected = { synchronous: 1, timeout: 5000, journal: "wal" };
  expect(await settings()).toEqual(expected);
  for (let round = 0; round < 2; round++) {
    await db.$transaction(async (tx) => {
      await tx.runner.count();
    });
    expect(await settings()).toEqual(expected);
  }
});
