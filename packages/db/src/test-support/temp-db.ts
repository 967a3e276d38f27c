import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, databaseUrlFor, disconnectDb, type Db } from "../client.ts";
import { migrateDatabase } from "../migrate.ts";

/** A real SQLite file in a temp folder, migrated with the committed migrations. */
export async function makeTempDb(): Promise<{ db: Db; url: string; dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "grove-db-")));
  const url = databaseUrlFor(dir);
  await migrateDatabase(url);
  const db = await createDb(url);
  return {
    db,
    url,
    dir,
    cleanup: async () => {
      await disconnectDb(db);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
