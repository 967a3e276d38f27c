import { randomBytes, scryptSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});
async function hubWith(opts: Parameters<typeof startTestHub>[0] = {}) {
  const hub = await startTestHub(opts);
  hubs.push(hub);
  return hub;
}

const signIn = (hub: TestHub, email: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`${hub.server.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: hub.server.url, ...headers },
    body: JSON.stringify({ email, password }),
  });

describe("sign-in (better-auth over grove's Prisma client)", () => {
  it("sets an httpOnly, SameSite=Lax session cookie that the API accepts; Secure when behind TLS", async () => {
    const hub = await hubWith();
    const response = await signIn(hub, "admin@test.local", "admin-password-1");
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.includes("session_token")) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const me = await fetch(`${hub.server.url}/api/trpc/auth.me`, { headers: { cookie: cookie.split(";")[0] ?? "" } });
    expect(await me.text()).toContain("admin@test.local");

    const tls = await hubWith({ secureCookies: true });
    const secure =
      (await signIn(tls, "admin@test.local", "admin-password-1")).headers
        .getSetCookie()
        .find((c) => c.includes("session_token")) ?? "";
    expect(secure).toMatch(/; Secure/i);
    expect(secure).toMatch(/^__Secure-/);
  });

  it("rate-limits sign-in attempts per client address", async () => {
    const hub = await hubWith({ signInLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(hub, "admin@test.local", "wrong-password-x")).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Even the right password waits out the window.
    expect((await signIn(hub, "admin@test.local", "admin-password-1")).status).toBe(429);
  });

  it("keys the limit by X-Forwarded-For only behind a proxy named in GROVE_TRUSTED_PROXIES", async () => {
    const wrong = (hub: TestHub, forwardedFor: string) =>
      signIn(hub, "admin@test.local", "wrong-password-x", { "x-forwarded-for": forwardedFor }).then((r) => r.status);
    // Not configured: the header is the client's own word, so naming a new address each time gets no new tries.
    const direct = await hubWith({ signInLimit: 2 });
    expect([await wrong(direct, "203.0.113.1"), await wrong(direct, "203.0.113.2"), await wrong(direct, "203.0.113.3")]).toEqual([
      401, 401, 429,
    ]);

    // Behind the proxy (this test's loopback connection): each client the proxy names has its own limit, and a
    // client cannot escape its own by prepending addresses of its choosing (the proxy appends the real one).
    const proxied = await hubWith({ signInLimit: 2, trustedProxies: ["127.0.0.0/8", "::1"] });
    expect([await wrong(proxied, "198.51.100.7"), await wrong(proxied, "198.51.100.7")]).toEqual([401, 401]);
    expect(await wrong(proxied, "198.51.100.7")).toBe(429);
    expect(await wrong(proxied, "1.2.3.4, 198.51.100.7")).toBe(429);
    expect(await wrong(proxied, "198.51.100.8")).toBe(401);
  });

  it("refuses a sign-in posted from another site (CSRF) and offers no self sign-up", async () => {
    const hub = await hubWith();
    const crossSite = await fetch(`${hub.server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", cookie: "grove.session_token=x" },
      body: JSON.stringify({ email: "admin@test.local", password: "admin-password-1" }),
    });
    expect(crossSite.status).toBe(403);
    const signUp = await fetch(`${hub.server.url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: hub.server.url },
      body: JSON.stringify({ email: "intruder@test.local", password: "intruder-password", name: "x" }),
    });
    expect(signUp.ok).toBe(false);
    expect(await hub.db.user.count({ where: { email: "intruder@test.local" } })).toBe(0);
  });

  it("still accepts passwords hashed before better-auth (migrated scrypt hashes)", async () => {
    const hub = await hubWith();
    const salt = randomBytes(16);
    const key = scryptSync("old-password-123".normalize("NFKC"), salt, 64);
    const user = await hub.db.user.create({ data: { email: "old@test.local", name: "Old", role: "approver" } });
    await hub.db.account.create({
      data: {
        userId: user.id,
        accountId: user.id,
        providerId: "credential",
        password: `scrypt$${salt.toString("base64url")}$${key.toString("base64url")}`,
      },
    });
    expect((await signIn(hub, "old@test.local", "old-password-123")).status).toBe(200);
    expect((await signIn(hub, "old@test.local", "not-the-password")).status).toBe(401);
  });
});
