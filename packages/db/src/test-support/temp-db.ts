import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, databaseUrlFor, disconnectDb, type Db } from "../client.ts";
import { preparePrivateDatabase } from "../private-database.ts";
import { createPostgresTestDatabase, postgresTestServer } from "./postgres-test-database.ts";
import { sqliteTemplate } from "./sqlite-template.ts";

export type TempDb = { db: Db; url: string; dir: string; cleanup: () => Promise<void> };

/**
 * A real database migrated with the committed migrations: a SQLite file in a temp folder (a copy of a file
 * migrated once, test-support/sqlite-template.ts), or, when the test
 * run has a PostgreSQL server (GROVE_TEST_POSTGRES_URL, set by test-support/postgres-global-setup.ts), a new database
 * on it copied from its migrated template. `dir` is a temp folder either way. `isEmpty`: no tables at all.
 */
export async function makeTempDb(opts: { isEmpty?: boolean } = {}): Promise<TempDb> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "grove-db-")));
  const server = postgresTestServer();
  const database = server ? await createPostgresTestDatabase(server, opts) : null;
  const url = database?.url ?? databaseUrlFor(dir);
  if (!database && !opts.isEmpty) {
    await fs.copyFile(await sqliteTemplate(), url.slice("file:".length));
    await preparePrivateDatabase(url);
  }
  const db = await createDb(url);
  return {
    db,
    url,
    dir,
    cleanup: async () => {
      await disconnectDb(db);
      await database?.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
