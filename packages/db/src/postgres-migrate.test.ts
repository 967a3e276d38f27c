import path from "node:path";
import { expect, it } from "vitest";
import { migrateDatabase, repositoryRoot } from "./migrate.ts";
import { migratePostgres } from "./postgres-migrate.ts";
import { migrationFolders, POSTGRES_MIGRATIONS_DIR } from "./provider-schema.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

it("applies each migration once when several instances start on an empty database at the same time", async () => {
  const { db, url, cleanup } = await makeTempDb({ isEmpty: true });
  try {
    await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
    const names = await migrationFolders(path.join(repositoryRoot(), POSTGRES_MIGRATIONS_DIR));
    const history = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL ORDER BY "migration_name"`,
    );
    expect(history.map((row) => row.migration_name)).toEqual(names);
    expect(await db.auditEvent.count()).toBe(0);
    // Started again (the next deploy): nothing left to apply.
    expect(await migratePostgres(url, path.join(repositoryRoot(), POSTGRES_MIGRATIONS_DIR))).toEqual([]);
  } finally {
    await cleanup();
  }
});
