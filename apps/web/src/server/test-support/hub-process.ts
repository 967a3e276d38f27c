import { LISTEN_FAILED_EXIT_CODE } from "@grove/core/launch";
import { readWebEnv } from "../../env.ts";
import { ensureFirstAdmin } from "../auth/bootstrap.ts";
import { startGroveServer } from "../grove-server.ts";
import { describeListenFailure } from "../listen-failure.ts";
import { openHubData } from "../open-hub-data.ts";

// The web process as server.ts starts it (the same data dir, database and secret handling), without Next's
// pages, so tests can kill -9 it and start it again without Next's build. Tests run its bundle (hub-bundle.ts:
// `node dist/hub-process.mjs`); `node --import tsx hub-process.ts` runs it too. With the web's environment (env.ts).
const env = readWebEnv();
const { db, authSecretFile, vapidKeysFile } = await openHubData(env);
const server = await startGroveServer({
  db,
  port: env.port,
  host: env.host,
  publicUrl: env.publicUrl,
  authSecret: env.authSecret,
  authSecretFile,
  vapidKeysFile,
  vapidKeys: env.vapidKeys,
  instanceId: env.instanceId,
  busUrl: env.redisUrl,
  signInLimit: env.signInLimit,
}).catch((error: unknown) => {
  // As server.ts does.
  const listenFailure = describeListenFailure(error);
  if (!listenFailure) throw error;
  console.error(`grove web cannot listen: ${listenFailure}`);
  process.exit(LISTEN_FAILED_EXIT_CODE);
});
await ensureFirstAdmin(db, server.deps.auth, { email: env.adminEmail, password: env.adminPassword });
console.log(`hub listening on ${server.url}`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
