import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange } from "@grove/testing";
import { issueSetupToken } from "./auth/bootstrap.ts";
import { AUTH_BODY_LIMIT, SESSION_START_BODY_LIMIT, TRPC_BODY_LIMIT } from "./body-limit.ts";
import { startTestHub, type TestHub } from "./test-support/test-hub.ts";

const HUGE = 150 * 1024 * 1024;
let hub: TestHub;
let pageCalls = 0;

beforeAll(async () => {
  hub = await startTestHub({
    withAdmin: false,
    pages: (_req, res) => {
      pageCalls += 1;
      res.writeHead(200, { "content-type": "text/plain" }).end("page");
    },
  });
});
afterAll(() => hub.close());

const json = (url: string) => ({ "content-type": "application/json", origin: url });

describe("request body limits", () => {
  it("answers a huge Content-Length with 413 at once, before any handler runs", async () => {
    const { url } = hub.server;
    const rateLimitsBefore = await hub.db.rateLimit.count();
    const cases = [
      { method: "POST", path: "/api/auth/sign-in/email" },
      { method: "POST", path: "/api/trpc/setup.createAdmin" },
      { method: "POST", path: "/api/trpc/user.invite,user.invite?batch=1" },
      { method: "POST", path: "/login" },
      { method: "GET", path: "/api/audit/export" },
      // Too large is said before where it came from: no Origin, still 413.
      { method: "POST", path: "/api/trpc/user.invite", headers: { "content-type": "application/json" } },
    ];
    for (const { method, path, headers = json(url) } of cases) {
      // 10 bytes of a declared 150 MB: a handler that had started would still be waiting for the rest.
      const reply = await rawExchange(url, { method, path, headers, contentLength: HUGE, body: '{"json":{}' });
      expect(reply.status, `${method} ${path}`).toBe(413);
      expect(reply.isBodyComplete).toBe(false);
      // A lingering close: the client read the answer and ended the connection itself, never reset.
      expect(reply.errorCode, `${method} ${path}`).toBeUndefined();
    }
    expect(pageCalls).toBe(0);
    // better-auth counts every request it handles; none reached it.
    expect(await hub.db.rateLimit.count()).toBe(rateLimitsBefore);
    expect(await hub.db.user.count()).toBe(0);
  });

  it("tells the tRPC client why, in the shape it reads", async () => {
    const { url } = hub.server;
    const single = await rawExchange(url, {
      method: "POST",
      path: "/api/trpc/setup.createAdmin",
      headers: json(url),
      contentLength: HUGE,
      body: "",
    });
    const body: unknown = JSON.parse(single.text.slice(single.text.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({
      error: { json: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path: "setup.createAdmin" } } },
    });
  });

  it("cuts a chunked body off with 413 once it passes the limit, while the client is still sending", async () => {
    const { url } = hub.server;
    for (const [path, limit] of [
      ["/api/auth/sign-in/email", AUTH_BODY_LIMIT],
      ["/api/trpc/setup.createAdmin", TRPC_BODY_LIMIT],
      ["/api/trpc/session.start", SESSION_START_BODY_LIMIT],
    ] as const) {
      const totalBytes = 64 * 1024 * 1024;
      const reply = await rawExchange(url, {
        method: "POST",
        path,
        headers: json(url),
        chunked: { chunkBytes: 16 * 1024, totalBytes },
      });
      expect(reply.status, path).toBe(413);
      // Closing over unread bytes would reset the connection, and a reset can erase the 413 before the
      // client reads it (what a loaded machine showed): the server half-closes and reads on instead.
      expect(reply.errorCode, path).toBeUndefined();
      // The server stopped reading: the client never got to send the rest (socket buffers hold a few MB at most).
      expect(reply.isBodyComplete, path).toBe(false);
      expect(reply.sentBytes, path).toBeGreaterThan(limit);
      expect(reply.sentBytes, path).toBeLessThan(totalBytes / 2);
    }
    expect(await hub.db.user.count()).toBe(0);
  });

  it("refuses any body on GET and HEAD, and a chunked body to a page", async () => {
    const { url } = hub.server;
    for (const method of ["GET", "HEAD"]) {
      for (const path of ["/api/trpc/auth.me", "/api/auth/get-session", "/api/health", "/sessions"]) {
        const reply = await rawExchange(url, { method, path, contentLength: 5, body: "hello" });
        expect(reply.status, `${method} ${path}`).toBe(413);
      }
    }
    const chunkedPage = await rawExchange(url, {
      method: "POST",
      path: "/sessions",
      chunked: { chunkBytes: 1024, totalBytes: 4096 },
    });
    expect(chunkedPage.status).toBe(413);
    expect(pageCalls).toBe(0);
  });

  it("still serves ordinary requests: a page, sign-in, and tRPC queries and mutations", async () => {
    const { url } = hub.server;
    expect(await (await fetch(`${url}/sessions`)).text()).toBe("page");
    const email = "admin@limits.test";
    const token = (await issueSetupToken(hub.db)) ?? "";
    const created = await fetch(`${url}/api/trpc/setup.createAdmin`, {
      method: "POST",
      headers: json(url),
      body: JSON.stringify({ json: { token, email, name: "Admin", password: "admin-password-1" } }),
    });
    expect(created.status).toBe(200);
    const cookie = await hub.signIn(email, "admin-password-1");
    const me = await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ result: { data: { json: { email } } } });
    const invited = await fetch(`${url}/api/trpc/user.invite`, {
      method: "POST",
      headers: { ...json(url), cookie },
      body: JSON.stringify({ json: { email: "viewer@limits.test", role: "viewer" } }),
    });
    expect(invited.status).toBe(200);
    // The largest legitimate input: twenty tasks with prompts of the maximum 100,000 bytes reach tRPC.
    const tasks = Array.from({ length: 20 }, (_, i) => ({ agent: "demo", taskId: `t${i}`, prompt: `"quoted"\n`.repeat(10_000) }));
    const started = await fetch(`${url}/api/trpc/session.start`, {
      method: "POST",
      headers: { ...json(url), cookie },
      body: JSON.stringify({ json: { tasks } }),
    });
    expect(started.status).not.toBe(413);
    expect(await started.text()).toMatch(/runner/i);
  });
});
