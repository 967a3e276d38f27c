import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { startTestHub, type TestHub } from "./test-support/test-hub.ts";

let hub: TestHub;
let tunneled: TestHub;
let cookie: string;
const seenByPages: IncomingMessage["headers"][] = [];

beforeAll(async () => {
  hub = await startTestHub({
    pages: (req, res) => {
      seenByPages.push({ ...req.headers });
      res.writeHead(200, { "content-type": "text/html" }).end("<p>page</p>");
    },
  });
  cookie = await hub.signIn();
  tunneled = await startTestHub({ publicUrl: "https://grove.example.test" });
});
afterAll(async () => {
  await hub.close();
  await tunneled.close();
});

/** user.invite over HTTP as a browser page would send it, from `origin` (none when undefined). */
function invite(url: string, email: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}/api/trpc/user.invite`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, ...headers },
    body: JSON.stringify({ json: { email, role: "viewer" } }),
  });
}

const invitations = (email: string) => hub.db.invitation.count({ where: { email } });

describe("tRPC mutations accept only the dashboard's own origin", () => {
  it("refuses a mutation from another port of the same host (403) and changes nothing", async () => {
    const port = new URL(hub.server.url).port;
    for (const origin of ["http://localhost:4000", "http://127.0.0.1:4000", `http://evil.test:${port}`, "null"]) {
      const response = await invite(hub.server.url, "cross@test.local", { origin });
      expect(response.status, origin).toBe(403);
      expect(await response.json()).toMatchObject({ error: { json: { data: { code: "FORBIDDEN", httpStatus: 403 } } } });
    }
    // An input-less mutation too (the probe sent a webhook test this way).
    const test = await fetch(`${hub.server.url}/api/trpc/notification.testWebhook`, {
      method: "POST",
      headers: { cookie, origin: "http://localhost:4000" },
    });
    expect(test.status).toBe(403);
    expect(await test.text()).toMatch(/its Origin is another site/);
    expect(await invitations("cross@test.local")).toBe(0);
  });

  it("refuses a mutation naming no origin unless the browser says it is same-origin", async () => {
    const blank = await invite(hub.server.url, "blank@test.local", {});
    expect(blank.status).toBe(403);
    // It says what was wrong: no Origin at all, not another site's.
    const { message } = ((await blank.json()) as { error: { json: { message: string } } }).error.json;
    expect(message).toMatch(/named no Origin/);
    expect(message).not.toMatch(/another site/);
    expect((await invite(hub.server.url, "blank@test.local", { "sec-fetch-site": "same-site" })).status).toBe(403);
    expect(await invitations("blank@test.local")).toBe(0);
    expect((await invite(hub.server.url, "blank@test.local", { "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(await invitations("blank@test.local")).toBe(1);
  });

  it("takes a mutation from the dashboard's own origin, and queries from anywhere (they change nothing)", async () => {
    expect((await invite(hub.server.url, "same@test.local", { origin: hub.server.url })).status).toBe(200);
    expect(await invitations("same@test.local")).toBe(1);
    const me = await fetch(`${hub.server.url}/api/trpc/auth.me`, { headers: { cookie, origin: "http://localhost:4000" } });
    expect(me.status).toBe(200);
  });

  it("with GROVE_PUBLIC_URL, takes only that origin, whatever Host the request names", async () => {
    const tunneledCookie = await fetch(`${tunneled.server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://grove.example.test" },
      body: JSON.stringify({ email: "admin@test.local", password: "admin-password-1" }),
    }).then((r) =>
      r.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; "),
    );
    const call = (origin: string) =>
      fetch(`${tunneled.server.url}/api/trpc/user.invite`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: tunneledCookie, origin },
        body: JSON.stringify({ json: { email: `t-${origin.length}@test.local`, role: "viewer" } }),
      });
    expect((await call(tunneled.server.url)).status).toBe(403);
    expect((await call("https://grove.example.test")).status).not.toBe(403);
  });
});

describe("pages and sockets", () => {
  it("sends every page with a Content-Security-Policy whose script nonce Next is given too", async () => {
    const first = await fetch(`${hub.server.url}/sessions`);
    const second = await fetch(`${hub.server.url}/sessions`);
    const policy = first.headers.get("content-security-policy") ?? "";
    for (const directive of ["object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "default-src 'self'"])
      expect(policy).toContain(directive);
    const host = new URL(hub.server.url).host;
    expect(policy).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'(;|$)/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // A fresh nonce per response, and the one Next renders with is the one the browser enforces.
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    expect(seenByPages[0]?.["content-security-policy"]).toBe(policy);
  });

  it("answers a page path with a bad %-escape 400 in plain words, without asking the page router", async () => {
    const pagesBefore = seenByPages.length;
    for (const path of ["/runs/%ff", "/sessions/%ff", "/runs/%E0%A4%A", "/brain/%"]) {
      for (const headers of [{}, { cookie }] as Record<string, string>[]) {
        const response = await fetch(`${hub.server.url}${path}`, { headers });
        expect(response.status, path).toBe(400);
        expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
        expect(await response.text()).toBe("Bad request: the address has an invalid %-escape.\n");
      }
    }
    expect(seenByPages.length).toBe(pagesBefore);
    // A well-formed escape, and a bad one only in the query (Next takes those), still reach the pages.
    expect((await fetch(`${hub.server.url}/runs/%C3%A9?q=%ff`)).status).toBe(200);
    expect(seenByPages.length).toBe(pagesBefore + 1);
  });

  it("refuses a browser socket opened by a page of another origin", async () => {
    const open = async (origin: string) => {
      const socket = io(hub.server.url, {
        path: "/socket.io/",
        transports: ["websocket"],
        reconnection: false,
        extraHeaders: { cookie, origin },
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", (error) => resolve(error.message));
      });
      socket.disconnect();
      return outcome;
    };
    expect(await open("http://localhost:4000")).toBe("forbidden origin");
    expect(await open(hub.server.url)).toBe("connected");
  });
});
