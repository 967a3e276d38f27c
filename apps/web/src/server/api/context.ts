import type { IncomingMessage, ServerResponse } from "node:http";
import { fromNodeHeaders } from "better-auth/node";
import type { Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { userFromHeaders, type SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import type { Notifier } from "../notifications/notifier.ts";

export type AppDeps = {
  db: Db;
  hub: Hub;
  auth: GroveAuth;
  notifier: Notifier;
  /** Where the first-run setup token was written (removed once the first admin exists). */
  setupTokenFile: string | null;
};

export type Context = AppDeps & {
  user: SessionUser | null;
  /** The request's headers, for better-auth calls made on the caller's behalf. */
  headers: Headers;
  setCookie: (cookie: string) => void;
};

/** Builds a context without HTTP: tests pass a user directly. */
export function createContextInner(
  deps: AppDeps & { user: SessionUser | null; headers?: Headers; setCookie?: (c: string) => void },
): Context {
  return { ...deps, headers: deps.headers ?? new Headers(), setCookie: deps.setCookie ?? (() => undefined) };
}

export async function createHttpContext(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<Context> {
  const headers = fromNodeHeaders(req.headers);
  const user = await userFromHeaders(deps.auth, headers);
  return createContextInner({
    ...deps,
    user,
    headers,
    setCookie: (cookie) => {
      const existing = res.getHeader("Set-Cookie");
      const list = Array.isArray(existing) ? existing : typeof existing === "string" ? [existing] : [];
      res.setHeader("Set-Cookie", [...list, cookie]);
    },
  });
}
