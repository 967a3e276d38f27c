import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@grove/db";
import type { LoginLimiter } from "../auth/login-limiter.ts";
import { readCookie, SESSION_COOKIE, userForSessionToken, type SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";

export type Context = {
  db: Db;
  hub: Hub;
  user: SessionUser | null;
  limiter: LoginLimiter;
  secureCookies: boolean;
  clientAddress: string;
  sessionToken: string | undefined;
  setCookie: (cookie: string) => void;
};

export type AppDeps = { db: Db; hub: Hub; limiter: LoginLimiter; secureCookies: boolean };

/** Builds a context without HTTP: tests pass a user directly. */
export function createContextInner(deps: AppDeps & { user: SessionUser | null; clientAddress?: string; sessionToken?: string; setCookie?: (c: string) => void }): Context {
  return {
    ...deps,
    clientAddress: deps.clientAddress ?? "local",
    sessionToken: deps.sessionToken,
    setCookie: deps.setCookie ?? (() => undefined),
  };
}

export async function createHttpContext(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<Context> {
  const sessionToken = readCookie(req.headers.cookie, SESSION_COOKIE);
  const user = await userForSessionToken(deps.db, sessionToken);
  return createContextInner({
    ...deps,
    user,
    sessionToken,
    clientAddress: req.socket.remoteAddress ?? "unknown",
    setCookie: (cookie) => {
      const existing = res.getHeader("Set-Cookie");
      const list = Array.isArray(existing) ? existing : typeof existing === "string" ? [existing] : [];
      res.setHeader("Set-Cookie", [...list, cookie]);
    },
  });
}
