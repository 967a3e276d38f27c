import fs from "node:fs";
import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { defineConfig } from "prisma/config";

// The CLI (migrate deploy, migrate diff) reaches the same SQLite file the app uses.
const dbFile = path.resolve(process.env.GROVE_DATA_DIR ?? ".grove-data", "grove.db");
const url = process.env.DATABASE_URL ?? `file:${dbFile}`;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: () => {
    if (url.startsWith("file:")) fs.mkdirSync(path.dirname(url.slice("file:".length)), { recursive: true });
    return Promise.resolve(new PrismaLibSQL({ url }));
  },
});
