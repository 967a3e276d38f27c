// `pnpm db:migration <name>`: after an edit of prisma/schema.prisma, writes the migration for both providers
// under one name (prisma/migrations/<ts>_<name>, prisma/postgresql/migrations/<ts>_<name>) and regenerates
// prisma/postgresql/schema.prisma and both clients. When the newest SQLite migration (written by hand or by
// `prisma migrate dev`) has no PostgreSQL twin yet, it writes only the twin, under that migration's name.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  expectedPostgresMigrations,
  migrationFolders,
  POSTGRES_MIGRATIONS_DIR,
  POSTGRES_SCHEMA_FILE,
  postgresSchemaFrom,
  SQLITE_MIGRATIONS_DIR,
  sqliteSchemaFrom,
} from "@grove/db";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = (file: string) => path.join(root, file);

async function main(name: string | undefined) {
  const sqliteSchema = await readFile(at("prisma/schema.prisma"), "utf8");
  const previousPostgres = await readFile(at(POSTGRES_SCHEMA_FILE), "utf8");
  const sqliteNames = await migrationFolders(at(SQLITE_MIGRATIONS_DIR));
  const postgresNames = new Set(await migrationFolders(at(POSTGRES_MIGRATIONS_DIR)));
  const orphans = expectedPostgresMigrations(sqliteNames).filter((each) => !postgresNames.has(each));
  if (orphans.length > 1)
    throw new Error(`Several SQLite migrations lack a PostgreSQL twin (${orphans.join(", ")}); write one at a time.`);
  const twinOf = orphans[0];
  if (!twinOf && !/^[a-z0-9_]{1,60}$/.test(name ?? ""))
    throw new Error("usage: pnpm db:migration <name> (lower case, digits, _)");
  const folder = twinOf ?? `${timestamp()}_${name}`;

  const work = await mkdtemp(path.join(os.tmpdir(), "grove-migration-"));
  try {
    const write = async (file: string, text: string) => (await writeFile(path.join(work, file), text), path.join(work, file));
    const nextPostgres = postgresSchemaFrom(sqliteSchema);
    const postgresSql = await diff(
      await write("before.pg.prisma", previousPostgres),
      await write("after.pg.prisma", nextPostgres),
    );
    const sqliteSql = twinOf
      ? null
      : await diff(await write("before.prisma", sqliteSchemaFrom(previousPostgres)), at("prisma/schema.prisma"));
    if (!twinOf && isEmpty(postgresSql) && isEmpty(sqliteSql ?? ""))
      return console.log("grove: the schema did not change; no migration written.");
    if (sqliteSql !== null) await writeMigration(SQLITE_MIGRATIONS_DIR, folder, sqliteSql);
    await writeMigration(POSTGRES_MIGRATIONS_DIR, folder, postgresSql);
    await writeFile(at(POSTGRES_SCHEMA_FILE), nextPostgres);
    await prisma(["generate", "--schema", "prisma/schema.prisma"]);
    await prisma(["generate", "--schema", POSTGRES_SCHEMA_FILE]);
    console.log(
      `grove: wrote ${sqliteSql === null ? "" : `${SQLITE_MIGRATIONS_DIR}/${folder} and `}${POSTGRES_MIGRATIONS_DIR}/${folder}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function diff(from: string, to: string): Promise<string> {
  return prisma(["migrate", "diff", "--from-schema-datamodel", from, "--to-schema-datamodel", to, "--script"]);
}

async function prisma(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("pnpm", ["exec", "prisma", ...args], {
    cwd: root,
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
  return stdout;
}

async function writeMigration(dir: string, folder: string, sql: string) {
  await mkdir(at(path.join(dir, folder)), { recursive: true });
  await writeFile(at(path.join(dir, folder, "migration.sql")), isEmpty(sql) ? "-- No change for this provider.\n" : sql);
}

/** Prisma's script for no difference holds only a comment. */
function isEmpty(sql: string): boolean {
  return sql.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}

function timestamp(): string {
  return new Date().toISOString().replace(/\D/g, "").slice(0, 14);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(`grove: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
