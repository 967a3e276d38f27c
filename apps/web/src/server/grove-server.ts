import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Db } from "@grove/db";
import { LoginLimiter } from "./auth/login-limiter.ts";
import { createHttpContext, type AppDeps } from "./api/context.ts";
import { appRouter } from "./api/root.ts";
import { createHub, type Hub } from "./hub/create-hub.ts";
import { createRunnerEventHandlers } from "./services/runner-events.ts";

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export type GroveServer = { url: string; port: number; hub: Hub; deps: AppDeps; close(): Promise<void> };

/**
 * One HTTP server: tRPC at /api/trpc, the socket.io hub at /socket.io/, and every other path to
 * `pages` (Next's handler in production; absent in hub tests).
 */
export async function startGroveServer(opts: {
  db: Db;
  port: number;
  host?: string;
  secureCookies?: boolean;
  pages?: RequestHandler;
}): Promise<GroveServer> {
  const httpServer = http.createServer();
  const hub = createHub({ httpServer, db: opts.db });
  const deps: AppDeps = { db: opts.db, hub, limiter: new LoginLimiter(), secureCookies: opts.secureCookies ?? false };
  hub.setRunnerHandlers(createRunnerEventHandlers({ db: opts.db, hub }));

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
    if (url.startsWith("/api/trpc/")) return trpc(req, res);
    if (url === "/api/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
      return;
    }
    if (opts.pages) {
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
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hub,
    deps,
    async close() {
      await hub.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
