import fs from "node:fs";
import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The CLI (migrate deploy, migrate diff) reaches the database the app uses: the SQLite file in the data
// folder, or PostgreSQL when DATABASE_URL says so. Each provider has its own schema file and migrations;
// prisma/postgresql/ is generated from prisma/schema.prisma (pnpm db:migration, checked by a test).
const dbFile = path.resolve(process.env.GROVE_DATA_DIR ?? ".grove-data", "grove.db");
const url = process.env.DATABASE_URL ?? `file:${dbFile}`;
const isPostgres = /^postgres(ql)?:\/\//.test(url);
const folder = isPostgres ? "prisma/postgresql" : "prisma";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `${folder}/schema.prisma`,
  migrations: { path: `${folder}/migrations` },
  adapter: () => {
    if (isPostgres) return Promise.resolve(new PrismaPg({ connectionString: url }));
    if (url.startsWith("file:")) fs.mkdirSync(path.dirname(url.slice("file:".length)), { recursive: true });
    return Promise.resolve(new PrismaLibSQL({ url }));
  },
});
