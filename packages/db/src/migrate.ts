import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { databaseProviderOf } from "./database-provider.ts";
import { migratePostgres } from "./postgres-migrate.ts";
import { preparePrivateDatabase } from "./private-database.ts";

/**
 * The repository (prisma.config.ts, prisma/): found upwards from this module, which is packages/db/src here
 * and apps/web/dist once the web server is bundled.
 */
export function repositoryRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "prisma", "schema.prisma"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No prisma/schema.prisma above ${from}.`);
  }
}

/**
 * Applies the committed migrations to the database at `url`: prisma/migrations with `prisma migrate
 * deploy` for SQLite, prisma/postgresql/migrations for PostgreSQL.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const root = repositoryRoot();
  if (databaseProviderOf(url) === "postgresql") {
    await migratePostgres(url, path.join(root, "prisma", "postgresql", "migrations"));
    return;
  }
  await preparePrivateDatabase(url);
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  try {
    await promisify(execFile)(process.execPath, [prismaCli, "migrate", "deploy"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    const stderr = typeof error === "object" && error && "stderr" in error ? String(error.stderr) : "";
    const stdout = typeof error === "object" && error && "stdout" in error ? String(error.stdout) : "";
    throw new Error(`Applying database migrations failed: ${(stderr || stdout).trim().slice(-2000)}`, { cause: error });
  }
}
