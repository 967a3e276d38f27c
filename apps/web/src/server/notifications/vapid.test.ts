import { mkdtemp, readdir, readFile, realpath, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import webpush from "web-push";
import { afterEach, describe, expect, it } from "vitest";
import { queryDirect, readSetting, writeSetting } from "@grove/db";
import { makeTempDb } from "@grove/db/test-support";
import { readWebEnv } from "../../env.ts";
import { startTestHub } from "../test-support/test-hub.ts";
import { ensureVapidKeys, LEGACY_VAPID_SETTING } from "./vapid.ts";

// The VAPID private key signs this hub's pushes: like the cookie secret, it stays out of the database, so a
// copy of the database cannot push as this hub.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-vapid-")));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Whether any of the database's files (the file, its -wal and -shm) holds `text`. */
async function isInDatabaseFiles(dir: string, text: string): Promise<boolean> {
  const names = (await readdir(dir)).filter((name) => name.startsWith("grove.db"));
  expect(names).toContain("grove.db");
  for (const name of names) if ((await readFile(path.join(dir, name))).includes(text)) return true;
  return false;
}

describe("VAPID keys", () => {
  it("are made in an owner-only file of the data dir, never in the database, and kept across restarts", async () => {
    const file = path.join(await tempDir(), "vapid-keys");
    const hub = await startTestHub({ vapidKeysFile: file });
    cleanups.push(() => hub.close());
    const { vapidPublicKey } = await hub.caller.notification.settings();
    const stored = JSON.parse(await readFile(file, "utf8")) as { publicKey: string; privateKey: string };
    expect(stored.publicKey).toBe(vapidPublicKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readSetting(hub.db, LEGACY_VAPID_SETTING)).toBeNull();
    const [main] = await queryDirect<{ file: string }>(hub.db, "SELECT file FROM pragma_database_list WHERE name = 'main'", []);
    const dbDir = path.dirname(main?.file ?? "");
    expect(await isInDatabaseFiles(dbDir, stored.privateKey)).toBe(false);

    const again = await startTestHub({ vapidKeysFile: file });
    cleanups.push(() => again.close());
    expect((await again.caller.notification.settings()).vapidPublicKey).toBe(vapidPublicKey);
  });

  it("are the team's pair from GROVE_VAPID_PUBLIC_KEY / _PRIVATE_KEY on every instance, with no file written", async () => {
    const pair = webpush.generateVAPIDKeys();
    const env = readWebEnv({
      NODE_ENV: "test",
      GROVE_VAPID_PUBLIC_KEY: pair.publicKey,
      GROVE_VAPID_PRIVATE_KEY: pair.privateKey,
    });
    expect(env.vapidKeys).toEqual(pair);
    const dir = await tempDir();
    const instances = await Promise.all(
      ["a", "b"].map((name) => startTestHub({ vapidKeysFile: path.join(dir, name), vapidKeys: env.vapidKeys })),
    );
    for (const hub of instances) {
      cleanups.push(() => hub.close());
      expect((await hub.caller.notification.settings()).vapidPublicKey).toBe(pair.publicKey);
    }
    expect(await readdir(dir)).toEqual([]);
    // Half a pair would sign with a key no subscription was made for: refused at start.
    expect(() => readWebEnv({ NODE_ENV: "test", GROVE_VAPID_PUBLIC_KEY: pair.publicKey })).toThrow(/set both or neither/);
  });

  it("moves a pair an older grove kept in the database into the file (subscriptions keep working) and erases it there", async () => {
    const temp = await makeTempDb();
    cleanups.push(temp.cleanup);
    const legacy = webpush.generateVAPIDKeys();
    await writeSetting(temp.db, LEGACY_VAPID_SETTING, JSON.stringify(legacy));
    const file = path.join(await tempDir(), "vapid-keys");

    expect(await ensureVapidKeys(temp.db, file)).toEqual(legacy);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(legacy);
    expect(await readSetting(temp.db, LEGACY_VAPID_SETTING)).toBeNull();
    expect(await isInDatabaseFiles(temp.dir, legacy.privateKey)).toBe(false);
    expect(await ensureVapidKeys(temp.db, file)).toEqual(legacy);
  });
});
