import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { LISTEN_FAILED_EXIT_CODE } from "@grove/core/launch";
import { disconnectDb } from "@grove/db";
import { restrictFile } from "@grove/core/private-files";
import { readWebEnv } from "./src/env.ts";
import { ensureFirstAdmin, issueSetupToken } from "./src/server/auth/bootstrap.ts";
import { startGroveServer } from "./src/server/grove-server.ts";
import { describeListenFailure } from "./src/server/listen-failure.ts";
import { openHubData } from "./src/server/open-hub-data.ts";
import { createPageLookups } from "./src/server/pages/missing-pages.ts";
import { providePageLookups } from "./src/lib/page-lookups.ts";

async function main() {
  const env = readWebEnv();
  const { db, authSecretFile, setupTokenFile, vapidKeysFile } = await openHubData(env);

  // This file runs from apps/web (under tsx) or bundled from apps/web/dist (`pnpm start`); Next wants apps/web.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = path.basename(here) === "dist" ? path.dirname(here) : here;
  const app = next({ dev: env.dev, dir, hostname: "localhost", port: env.port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = await startGroveServer({
    db,
    port: env.port,
    host: env.host,
    secureCookies: env.secureCookies,
    publicUrl: env.publicUrl,
    authSecret: env.authSecret,
    authSecretFile,
    vapidKeysFile,
    vapidKeys: env.vapidKeys,
    signInLimit: env.signInLimit,
    trustedProxies: env.trustedProxies,
    webhookUrl: env.webhookUrl,
    vapidSubject: env.vapidSubject,
    setupTokenFile,
    pages: (req, res) => handle(req, res),
    isDev: env.dev,
    instanceId: env.instanceId,
    busUrl: env.redisUrl,
  });

  providePageLookups(createPageLookups(server.deps));
  const base = env.publicUrl ?? `http://localhost:${server.port}`;
  console.log(`grove dashboard: ${base}`);
  const admin = await ensureFirstAdmin(db, server.deps.auth, { email: env.adminEmail, password: env.adminPassword });
  if (admin) console.log(`first-run admin ${admin} created from GROVE_ADMIN_EMAIL / GROVE_ADMIN_PASSWORD`);
  const setupToken = await issueSetupToken(db, await readFile(setupTokenFile, "utf8").catch(() => null));
  if (setupToken) {
    await writeFile(setupTokenFile, `${setupToken}\n`, { mode: 0o600 });
    await restrictFile(setupTokenFile);
    console.log(
      `first run: create the admin account at ${base}/setup#token=${setupToken}\n  (the token is also in ${setupTokenFile}; it works once)`,
    );
  }

  const shutdown = () => {
    void server
      .close()
      .then(() => disconnectDb(db))
      .then((ended) => {
        if (ended > 0) console.error(`grove web: ended ${ended} database connection(s) still in use at shutdown`);
      })
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  const listenFailure = describeListenFailure(error);
  if (listenFailure) {
    console.error(`grove web cannot listen: ${listenFailure}`);
    process.exit(LISTEN_FAILED_EXIT_CODE);
  }
  console.error(`grove web failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
