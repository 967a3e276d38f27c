import fs from "node:fs";
import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;
export type { Prisma } from "./generated/prisma/client.ts";

export function databaseUrlFor(dataDir: string): string {
  return `file:${path.join(path.resolve(dataDir), "grove.db")}`;
}

/** Opens the database. SQLite gets WAL and a busy timeout so the hub's writers never see SQLITE_BUSY. */
export async function createDb(url: string): Promise<Db> {
  if (url.startsWith("file:")) fs.mkdirSync(path.dirname(url.slice("file:".length)), { recursive: true });
  const db = new PrismaClient({ adapter: new PrismaLibSQL({ url }) });
  if (url.startsWith("file:")) {
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
    await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  }
  return db;
}

/** Closes the Prisma client. */
export async function disconnectDb(db: Db): Promise<void> {
  await db.$disconnect();
}
