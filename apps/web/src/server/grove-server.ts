import { clientAddress, parseTrustedProxies } from "./client-address.ts";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { toNodeHandler } from "better-auth/node";
import type { Db } from "@grove/db";
import { AUTH_BASE_PATH, CLIENT_IP_HEADER, createGroveAuth, listeningOrigin } from "./auth/auth-instance.ts";
import { resolveAuthSecret } from "./auth/bootstrap.ts";
import { createHttpContext, type AppDeps } from "./api/context.ts";
import { appRouter } from "./api/root.ts";
import { connectBus } from "./hub/bus.ts";
import type { PresenceTiming } from "./hub/cluster-presence.ts";
import { createHub, type Hub } from "./hub/create-hub.ts";
import { createRedisQueueStore } from "./hub/redis-queue-store.ts";
import type { FanoutLimits } from "./hub/fanout-budget.ts";
import { createNotifier } from "./notifications/notifier.ts";
import { createRunnerEventHandlers } from "./services/runner-events.ts";
import { AUDIT_EXPORT_PATH, failRequest, serveAuditExport } from "./audit-export-route.ts";
import { admitDeclaredBody, AUTH_BODY_LIMIT, bodyLimitOf, PAGE_BODY_LIMIT, readBody, trpcBodyLimit } from "./body-limit.ts";
import { applyPagePolicy } from "./content-security-policy.ts";
import { isDashboardOrigin } from "./request-origin.ts";
import { isDecodablePath, refuseBadPath } from "./request-path.ts";
import { refuseForeignOrigin, trpcTooLarge } from "./trpc-refusal.ts";
import type { VapidKeys } from "./notifications/vapid.ts";

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export type GroveServer = { url: string; port: number; hub: Hub; deps: AppDeps; close(): Promise<void> };

export type GroveServerOptions = {
  db: Db;
  port: number;
  host?: string;
  secureCookies?: boolean;
  publicUrl?: string | null;
  authSecret?: string | null;
  /** Where the cookie-signing secret is kept when `authSecret` is not given (see resolveAuthSecret). */
  authSecretFile?: string | null;
  signInLimit?: number;
  /** Proxies whose X-Forwarded-For names the client (GROVE_TRUSTED_PROXIES); none by default. */
  trustedProxies?: readonly string[];
  webhookUrl?: string | null;
  vapidSubject?: string;
  setupTokenFile?: string | null;
  pages?: RequestHandler;
  /** Next's dev mode: the pages' CSP then allows eval (React Refresh). */
  isDev?: boolean;
  /** Tests only: lets Web Push reach a push service on loopback. */
  allowLoopbackPush?: boolean;
  /** The VAPID key pair's file (owner-only, in the data dir); without it the pair is kept in the database. */
  vapidKeysFile?: string | null;
  /** The push key pair given by the environment (shared by a team's instances); wins over the file. */
  vapidKeys?: VapidKeys | null;
  /** Tests only: webhook receivers on loopback. */
  allowLoopbackWebhook?: boolean;
  /** The hub's log fan-out limits (tests lower them). */
  logFanout?: Partial<FanoutLimits>;
  /** Echoed by /api/health (GROVE_INSTANCE_ID): how `pnpm start` tells its own web process from another program on the port. */
  instanceId?: string | null;
  /** GROVE_REDIS_URL: the bus shared with the other dashboard instances; without it this process is the only one. */
  busUrl?: string | null;
  /** Tests lower how often instances announce their runners and how soon a silent one expires. */
  presence?: PresenceTiming;
  /** Tests lower how long a close waits for the hub's work still running, and a runner's acknowledgement (15 s). */
  closeBudgetMs?: number;
  runnerAckTimeoutMs?: number;
};

const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/**
 * One HTTP server: better-auth at /api/auth, tRPC at /api/trpc, the socket.io hub at /socket.io/, and
 * every other path to `pages` (Next's handler in production; absent in hub tests).
 */
export async function startGroveServer(opts: GroveServerOptions): Promise<GroveServer> {
  const httpServer = http.createServer();
  const auth = createGroveAuth({
    db: opts.db,
    secret: await resolveAuthSecret(opts.db, { fromEnv: opts.authSecret ?? null, file: opts.authSecretFile ?? null }),
    secureCookies: opts.secureCookies ?? false,
    baseUrl: opts.publicUrl ?? listeningOrigin(opts.host, opts.port),
    signInLimit: opts.signInLimit ?? 10,
  });
  const bus = opts.busUrl ? await connectBus(opts.busUrl) : null;
  const queues = bus ? createRedisQueueStore(bus.commands) : undefined;
  const hub = createHub({
    httpServer,
    db: opts.db,
    auth,
    logFanout: opts.logFanout,
    bus,
    presence: opts.presence,
    queues,
    ...{ closeBudgetMs: opts.closeBudgetMs, runnerAckTimeoutMs: opts.runnerAckTimeoutMs },
  });
  const publicUrl = opts.publicUrl ?? null;
  const trustedProxies = opts.trustedProxies?.length ? parseTrustedProxies(opts.trustedProxies) : null;
  // A browser names its page's origin when it opens a socket; only the dashboard's own may read logs over it.
  hub.io
    .of("/")
    .use((socket, next) =>
      next(isDashboardOrigin(socket.request, publicUrl, { isMissingAllowed: true }) ? undefined : new Error("forbidden origin")),
    );
  let port = opts.port;
  const notifier = createNotifier({
    db: opts.db,
    vapidSubject: opts.vapidSubject ?? "mailto:grove@localhost",
    webhookUrlFromEnv: opts.webhookUrl ?? null,
    baseUrl: () => opts.publicUrl ?? `http://localhost:${port}`,
    allowLoopbackPush: opts.allowLoopbackPush ?? false,
    allowLoopbackWebhook: opts.allowLoopbackWebhook ?? false,
    vapidKeysFile: opts.vapidKeysFile ?? null,
    vapidKeys: opts.vapidKeys ?? null,
  });
  const deps: AppDeps = { db: opts.db, hub, auth, notifier, setupTokenFile: opts.setupTokenFile ?? null };
  hub.setRunnerHandlers(createRunnerEventHandlers({ db: opts.db, hub }));
  hub.onChanged((change) => {
    if (change.scope === "merges") void hub.track(notifier.approvalsChanged());
  });

  const authHandler = toNodeHandler(auth);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req, res }) => createHttpContext(deps, req, res),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });

  httpServer.on("request", (req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/socket.io/")) return; // socket.io answers these itself
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // better-auth rate-limits by this header; set from the socket (or a trusted proxy's X-Forwarded-For), so a
    // client cannot pick its own address.
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies);
    // Every body is bounded before a handler sees the request: auth and tRPC get theirs read (at most the
    // limit), the others may only declare a length within theirs (Node's parser reads no more than that).
    if (url.startsWith(`${AUTH_BASE_PATH}/`)) {
      res.setHeader("cache-control", "no-store");
      return void readBody(req, res, bodyLimitOf(req, AUTH_BODY_LIMIT))
        .then((isRead) => (isRead ? authHandler(req, res) : undefined))
        .catch((error: unknown) => failRequest(res, error, "auth request"));
    }
    if (url.startsWith("/api/trpc/")) {
      res.setHeader("cache-control", "no-store");
      const limit = bodyLimitOf(req, trpcBodyLimit(url));
      if (!admitDeclaredBody(req, res, limit, { streamed: true, reply: trpcTooLarge(url) })) return;
      // Queries are GETs and change nothing; everything else must come from the dashboard's own pages.
      if (req.method !== "GET" && req.method !== "HEAD" && !isDashboardOrigin(req, publicUrl))
        return refuseForeignOrigin(req, res, url);
      return void readBody(req, res, limit, trpcTooLarge(url))
        .then((isRead) => (isRead ? trpc(req, res) : undefined))
        .catch((error: unknown) => failRequest(res, error, "tRPC request"));
    }
    const isApi = url.startsWith(AUDIT_EXPORT_PATH) || url === "/api/health";
    if (!admitDeclaredBody(req, res, isApi ? 0 : bodyLimitOf(req, PAGE_BODY_LIMIT), { streamed: false })) return;
    if (url.startsWith(AUDIT_EXPORT_PATH))
      return void serveAuditExport(deps, req, res).catch((error: unknown) => failRequest(res, error));
    if (url === "/api/health") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(opts.instanceId ? { ok: true, instance: opts.instanceId } : { ok: true }));
      return;
    }
    if (opts.pages) {
      // Next decodes the path for its route params and answers a bad escape (`/runs/%ff`) with a bare 500.
      if (!isDecodablePath(url)) return refuseBadPath(res);
      applyPagePolicy(req, res, { publicUrl, isDev: opts.isDev ?? false });
      Promise.resolve(opts.pages(req, res)).catch((error: unknown) => {
        console.error("page handler failed:", error);
        if (!res.headersSent) res.writeHead(500).end("Internal error");
      });
      return;
    }
    res.writeHead(404).end("Not found");
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
  });
  port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hub,
    deps,
    async close() {
      await hub.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await bus?.close();
    },
  };
}
