import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { migrationFolders } from "./provider-schema.ts";

// Prisma Migrate's own lock number: a `prisma migrate` run and this one never apply migrations at once.
const MIGRATE_LOCK = 72707369;

// Prisma Migrate's table, so its tools read this history as theirs.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies prisma/postgresql/migrations in order, each in its own transaction with its history row, under an
 * advisory lock: several instances starting at once apply each migration once. `prisma migrate deploy`
 * cannot do this through Prisma 6's pg driver adapter (it fails reading PostgreSQL's `name` columns:
 * prisma/prisma#27403), and the JS engine has no other way in.
 */
export async function migratePostgres(url: string, migrationsDir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    await client.query(HISTORY_TABLE);
    const failed = await client.query<{ migration_name: string }>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NULL AND "rolled_back_at" IS NULL`,
    );
    const stuck = failed.rows[0]?.migration_name;
    if (stuck) throw new Error(`The migration ${stuck} started but did not finish; repair the database, then start again.`);
    const done = await client.query<{ migration_name: string }>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL`,
    );
    const applied = new Set(done.rows.map((row) => row.migration_name));
    const pending = (await migrationFolders(migrationsDir)).filter((name) => !applied.has(name));
    for (const name of pending)
      await applyMigration(client, name, await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8"));
    return pending;
  } finally {
    await client.end();
  }
}

async function applyMigration(client: pg.Client, name: string, sql: string): Promise<void> {
  const checksum = createHash("sha256").update(sql).digest("hex");
  await client.query("BEGIN");
  try {
    // No parameters: the simple query protocol, which runs a file of several statements.
    await client.query(sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count")
       VALUES ($1, $2, now(), $3, 1)`,
      [randomUUID(), checksum, name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new Error(`Applying the PostgreSQL migration ${name} failed: ${String(error)}`, { cause: error });
  }
}
