import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { databaseUrlFor } from "../client.ts";
import { migrateDatabase, repositoryRoot } from "../migrate.ts";

let template: Promise<string> | undefined;

/**
 * A SQLite file with the committed migrations applied, which every test database is copied from: `prisma
 * migrate deploy` is a process of its own that takes seconds on a busy machine, once per test database
 * before. Named by a hash of prisma/migrations, so an edited or added migration makes a new one; built in a
 * folder of its own and renamed into place, so test processes building it at once never see half of one.
 */
export function sqliteTemplate(): Promise<string> {
  template ??= buildTemplate();
  return template;
}

async function buildTemplate(): Promise<string> {
  const migrations = path.join(repositoryRoot(), "prisma", "migrations");
  const file = path.join(os.tmpdir(), `grove-test-sqlite-template-${await hashTree(migrations)}.db`);
  if (existsSync(file)) return file;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "grove-db-template-"));
  try {
    const url = databaseUrlFor(dir);
    await migrateDatabase(url);
    await fs.rename(url.slice("file:".length), file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return file;
}

async function hashTree(root: string): Promise<string> {
  const hash = createHash("sha256");
  const files = (await fs.readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of files)
    hash
      .update(path.relative(root, file))
      .update("\0")
      .update(await fs.readFile(file))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}
