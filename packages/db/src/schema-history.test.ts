import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { databaseProvider } from "./client.ts";
import { repositoryRoot } from "./migrate.ts";
import {
  expectedPostgresMigrations,
  migrationFolders,
  POSTGRES_MIGRATIONS_DIR,
  POSTGRES_SCHEMA_FILE,
  postgresSchemaFrom,
  SQLITE_MIGRATIONS_DIR,
  sqliteSchemaFrom,
} from "./provider-schema.ts";
import { describeSchema } from "./test-support/schema-catalog.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

const root = repositoryRoot();
const read = (file: string) => readFile(path.join(root, file), "utf8");

describe("one schema history for both providers", () => {
  it("has the PostgreSQL schema generated from prisma/schema.prisma, and can give the source back", async () => {
    const source = await read("prisma/schema.prisma");
    const generated = await read(POSTGRES_SCHEMA_FILE);
    expect(generated, "prisma/schema.prisma changed: run pnpm db:migration <name>").toBe(postgresSchemaFrom(source));
    expect(sqliteSchemaFrom(generated)).toBe(source);
  });

  it("has a PostgreSQL twin of every SQLite migration from the baseline on, and no other", async () => {
    const sqlite = await migrationFolders(path.join(root, SQLITE_MIGRATIONS_DIR));
    const postgres = await migrationFolders(path.join(root, POSTGRES_MIGRATIONS_DIR));
    expect(postgres, "a SQLite migration without its twin: run pnpm db:migration").toEqual(expectedPostgresMigrations(sqlite));
  });

  it("builds, with this provider's migrations, exactly the schema its schema file describes", async () => {
    const migrated = await makeTempDb();
    const fromSchema = await makeTempDb({ isEmpty: true });
    try {
      const schemaFile = databaseProvider(migrated.db) === "postgresql" ? POSTGRES_SCHEMA_FILE : "prisma/schema.prisma";
      for (const statement of statementsOf(await createScript(schemaFile))) await fromSchema.db.$executeRawUnsafe(statement);
      expect(await describeSchema(migrated.db)).toEqual(await describeSchema(fromSchema.db));
    } finally {
      await migrated.cleanup();
      await fromSchema.cleanup();
    }
  });
});

/** The SQL that creates the schema file's tables in an empty database, as Prisma writes it. */
async function createScript(schemaFile: string): Promise<string> {
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  const args = [prismaCli, "migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaFile, "--script"];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
  return stdout;
}

function statementsOf(script: string): string[] {
  return script
    .split(/;\s*\n/)
    .map((part) => part.replace(/^\s*--.*$/gm, "").trim())
    .filter((part) => part !== "");
}
