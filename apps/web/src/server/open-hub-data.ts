import path from "node:path";
import { ensurePrivateDir } from "@grove/core/private-files";
import { createDb, databaseUrlFor, migrateDatabase, type Db } from "@grove/db";
import type { WebEnv } from "../env.ts";
import { ensureLocalRunner } from "./auth/bootstrap.ts";

export type HubData = { db: Db; authSecretFile: string; setupTokenFile: string; vapidKeysFile: string };

/**
 * The web process's data at start: its data dir owner-only (repaired when an older grove left it open: it
 * holds the database with live sessions, the cookie-signing secret, the VAPID keys and the setup token), the database
 * migrated and opened, the local runner's token registered.
 */
export async function openHubData(env: WebEnv): Promise<HubData> {
  await ensurePrivateDir(env.dataDir);
  const databaseUrl = env.databaseUrl ?? databaseUrlFor(env.dataDir);
  await migrateDatabase(databaseUrl);
  const db = await createDb(databaseUrl);
  if (env.runnerToken) await ensureLocalRunner(db, env.runnerToken);
  return {
    db,
    authSecretFile: path.join(env.dataDir, "auth-secret"),
    setupTokenFile: path.join(env.dataDir, "setup-token"),
    vapidKeysFile: path.join(env.dataDir, "vapid-keys"),
  };
}
