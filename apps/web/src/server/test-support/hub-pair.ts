import { createDb, disconnectDb, type Db } from "@grove/db";
import { makeTempDb } from "@grove/db/test-support";
import { signInOverHttp, startRedis, type RedisServer } from "@grove/testing";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";
import { createContextInner } from "../api/context.ts";
import { createCaller } from "../api/root.ts";
import { ensureFirstAdmin } from "../auth/bootstrap.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { startGroveServer, type GroveServer, type GroveServerOptions } from "../grove-server.ts";
import { ADMIN } from "./test-hub.ts";

export type HubInstance = { db: Db; server: GroveServer; signIn(): Promise<string>; caller: ReturnType<typeof createCaller> };
export type HubPair = Awaited<ReturnType<typeof startHubPair>>;
export type BrowserSocket = Socket<HubToBrowserEvents, BrowserToHubEvents>;

const AUTH_SECRET = "hub-pair-auth-secret-0123456789abcdef0123";

/**
 * Two real dashboard instances on port 0, each with its own client of one database (PostgreSQL in the test run's
 * postgresql project, else a SQLite file), sharing a real Redis as their bus, as a team's deployment runs them.
 */
export async function startHubPair(opts: Partial<GroveServerOptions> = {}) {
  const redis: RedisServer = await startRedis();
  const temp = await makeTempDb();
  const common = { port: 0, host: "127.0.0.1", busUrl: redis.url, authSecret: AUTH_SECRET, ...opts };
  const a = await startGroveServer({ db: temp.db, ...common });
  const dbB = await createDb(temp.url);
  const b = await startGroveServer({ db: dbB, ...common });
  await ensureFirstAdmin(temp.db, a.deps.auth, ADMIN);
  const row = await temp.db.user.findFirstOrThrow({ where: { email: ADMIN.email } });
  const admin: SessionUser = { id: row.id, email: ADMIN.email, name: "Admin", role: "admin" };
  const instance = (db: Db, server: GroveServer): HubInstance => ({
    db,
    server,
    signIn: () => signInOverHttp(server.url, ADMIN),
    caller: createCaller(createContextInner({ ...server.deps, user: admin })),
  });
  return {
    a: instance(temp.db, a),
    b: instance(dbB, b),
    admin,
    redis,
    /** The database both share, and a data dir for a third instance that joins them (hub-child.ts). */
    databaseUrl: temp.url,
    dataDir: temp.dir,
    async close() {
      await Promise.allSettled([a.close(), b.close()]);
      await disconnectDb(dbB);
      await temp.cleanup();
      await redis.stop();
    },
  };
}

/** A signed-in browser's socket on one instance. */
export async function connectBrowser(instance: HubInstance): Promise<BrowserSocket> {
  const socket: BrowserSocket = io(instance.server.url, {
    path: "/socket.io/",
    extraHeaders: { cookie: await instance.signIn() },
    transports: ["websocket"],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}
