import { afterEach, describe, expect, it } from "vitest";
import { makeTempDb } from "./test-support/temp-db.ts";
import { deleteSetting, ensureSetting, eraseSetting, readSetting, writeSetting } from "./settings.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("settings", () => {
  it("creates a value once, even when several callers race for it", async () => {
    const temp = await makeTempDb();
    cleanups.push(temp.cleanup);
    let made = 0;
    const values = await Promise.all(Array.from({ length: 5 }, () => ensureSetting(temp.db, "secret", () => `value-${++made}`)));
    expect(new Set(values).size).toBe(1);
    expect(await readSetting(temp.db, "secret")).toBe(values[0]);
  });

  it("writes, overwrites and deletes", async () => {
    const temp = await makeTempDb();
    cleanups.push(temp.cleanup);
    expect(await readSetting(temp.db, "webhook")).toBeNull();
    await writeSetting(temp.db, "webhook", "a");
    await writeSetting(temp.db, "webhook", "b");
    expect(await readSetting(temp.db, "webhook")).toBe("b");
    await deleteSetting(temp.db, "webhook");
    expect(await readSetting(temp.db, "webhook")).toBeNull();
  });

  it("erases a secret (rewriting the table on either engine) and erases nothing twice", async () => {
    const temp = await makeTempDb();
    cleanups.push(temp.cleanup);
    await writeSetting(temp.db, "auth-secret", "s3cret-value");
    await writeSetting(temp.db, "kept", "k");
    await eraseSetting(temp.db, "auth-secret");
    await eraseSetting(temp.db, "auth-secret");
    expect(await readSetting(temp.db, "auth-secret")).toBeNull();
    expect(await readSetting(temp.db, "kept")).toBe("k");
  });
});
