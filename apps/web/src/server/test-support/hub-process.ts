import { createDb, databaseUrlFor, migrateDatabase } from "@grove/db";
import { readWebEnv } from "../../env.ts";
import { ensureFirstAdmin, ensureLocalRunner } from "../auth/bootstrap.ts";
import { startGroveServer } from "../grove-server.ts";

// The web process as server.ts starts it, without Next's pages, so tests can kill -9 it and start it again
// without a build. Usage: node --import tsx hub-process.ts, with the web's environment (env.ts).
const env = readWebEnv();
const databaseUrl = env.databaseUrl ?? databaseUrlFor(env.dataDir);
await migrateDatabase(databaseUrl);
const db = await createDb(databaseUrl);
if (env.runnerToken) await ensureLocalRunner(db, env.runnerToken);
const server = await startGroveServer({ db, port: env.port, host: env.host, authSecret: env.authSecret });
await ensureFirstAdmin(db, server.deps.auth, { email: env.adminEmail, password: env.adminPassword });
console.log(`hub listening on ${server.url}`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
