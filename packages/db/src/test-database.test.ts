import { expect, it } from "vitest";
import { databaseProvider } from "./client.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

it("runs this project's tests on the engine it names", async () => {
  const { db, url, cleanup } = await makeTempDb();
  try {
    const expected = process.env.GROVE_TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";
    expect(databaseProvider(db)).toBe(expected);
    expect(url.startsWith(expected === "postgresql" ? "postgresql://" : "file:")).toBe(true);
    expect(await db.runner.count()).toBe(0);
  } finally {
    await cleanup();
  }
});
