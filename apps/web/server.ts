import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { createDb, databaseUrlFor, migrateDatabase } from "@grove/db";
import { readWebEnv } from "./src/env.ts";
import { ensureFirstAdmin, ensureLocalRunner } from "./src/server/auth/bootstrap.ts";
import { startGroveServer } from "./src/server/grove-server.ts";

async function main() {
  const env = readWebEnv();
  const databaseUrl = env.databaseUrl ?? databaseUrlFor(env.dataDir);
  await migrateDatabase(databaseUrl);
  const db = await createDb(databaseUrl);

  const admin = await ensureFirstAdmin(db, { email: env.adminEmail, password: env.adminPassword });
  if (env.runnerToken) await ensureLocalRunner(db, env.runnerToken);

  const dir = path.dirname(fileURLToPath(import.meta.url));
  const app = next({ dev: env.dev, dir, hostname: "localhost", port: env.port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = await startGroveServer({
    db,
    port: env.port,
    host: env.host,
    secureCookies: env.secureCookies,
    pages: (req, res) => handle(req, res),
  });

  console.log(`grove dashboard: http://localhost:${server.port}`);
  if (admin) {
    console.log(
      admin.password
        ? `first-run admin created — sign in as ${admin.email} with password ${admin.password} (shown once)`
        : `first-run admin created — sign in as ${admin.email} with the password from GROVE_ADMIN_PASSWORD`,
    );
  }

  const shutdown = () => {
    void server
      .close()
      .then(() => db.$disconnect())
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(`grove web failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
