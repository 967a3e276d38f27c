import { afterEach, describe, expect, it } from "vitest";
import { issueSetupToken } from "../../auth/bootstrap.ts";
import { userFromHeaders } from "../../auth/sessions.ts";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

function cookieJar() {
  const cookies: string[] = [];
  return { setCookie: (c: string) => void cookies.push(c.split(";")[0] ?? ""), header: () => cookies.join("; ") };
}

describe("first-run setup", () => {
  it("creates the first admin with the one-time token, signs them in, and never again", async () => {
    const hub = await startTestHub({ withAdmin: false });
    hubs.push(hub);
    const anonymous = hub.callerAs(null);
    expect(await anonymous.setup.status()).toEqual({ needsSetup: true });
    const token = await issueSetupToken(hub.db);
    expect(token).not.toBeNull();

    await expect(
      anonymous.setup.createAdmin({ token: "x".repeat(43), email: "boss@test.local", name: "Boss", password: "boss-password-1" }),
    ).rejects.toThrow(/setup token is wrong/);
    const jar = cookieJar();
    await hub
      .callerAs(null, { setCookie: jar.setCookie })
      .setup.createAdmin({ token: token ?? "", email: "Boss@Test.local", name: "Boss", password: "boss-password-1" });
    const me = await userFromHeaders(hub.server.deps.auth, new Headers({ cookie: jar.header() }));
    expect(me).toMatchObject({ email: "boss@test.local", role: "admin" });

    expect(await anonymous.setup.status()).toEqual({ needsSetup: false });
    await expect(
      anonymous.setup.createAdmin({
        token: token ?? "",
        email: "second@test.local",
        name: "Second",
        password: "boss-password-1",
      }),
    ).rejects.toThrow(/already set up/);
    expect(await hub.db.user.count()).toBe(1);
    expect(await hub.db.auditEvent.count({ where: { action: "user.created" } })).toBe(1);
  });
});

describe("first-run setup on several instances", () => {
  const admin = (hub: TestHub, token: string | null, email: string) =>
    hub.callerAs(null).setup.createAdmin({ token: token ?? "", email, name: "Boss", password: "boss-password-1" });

  it("each instance's setup link works until one is used, and a restart retires only the instance's own", async () => {
    const hub = await startTestHub({ withAdmin: false });
    hubs.push(hub);
    // Instances A and B start on one database; then A restarts.
    const a = await issueSetupToken(hub.db);
    const b = await issueSetupToken(hub.db);
    const aAgain = await issueSetupToken(hub.db, a);
    expect(new Set([a, b, aAgain]).size).toBe(3);
    await expect(admin(hub, a, "early@test.local")).rejects.toThrow(/setup token is wrong/);
    await admin(hub, b, "bee@test.local");
    await expect(admin(hub, aAgain, "late@test.local")).rejects.toThrow(/already set up/);
    expect(await hub.db.user.count()).toBe(1);
    expect(await hub.db.setting.count({ where: { key: { startsWith: "setup.tokenHash" } } })).toBe(0);
    expect(await issueSetupToken(hub.db)).toBeNull();
  });

  it("two people racing with two instances' links make one admin", async () => {
    const hub = await startTestHub({ withAdmin: false });
    hubs.push(hub);
    const [c, d] = [await issueSetupToken(hub.db), await issueSetupToken(hub.db)];
    const raced = await Promise.allSettled([admin(hub, c, "cee@test.local"), admin(hub, d, "dee@test.local")]);
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await hub.db.user.count()).toBe(1);
    expect(await hub.db.setting.count({ where: { key: { startsWith: "setup.tokenHash" } } })).toBe(0);
  });
});

describe("invitations and roles", () => {
  it("invites an approver who accepts once, is signed in, and gets exactly that role", async () => {
    const hub = await startTestHub();
    hubs.push(hub);
    const invite = await hub.caller.user.invite({ email: "ann@test.local", role: "approver" });
    const token = invite.path.split("token=")[1] ?? "";
    expect(await hub.db.invitation.count({ where: { tokenHash: token } })).toBe(0);
    expect(await hub.callerAs(null).user.invitation({ token })).toMatchObject({ email: "ann@test.local", role: "approver" });

    const jar = cookieJar();
    await hub.callerAs(null, { setCookie: jar.setCookie }).user.acceptInvite({ token, name: "Ann", password: "ann-password-1" });
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie: jar.header() }))).toMatchObject({
      email: "ann@test.local",
      role: "approver",
    });
    await expect(hub.callerAs(null).user.acceptInvite({ token, name: "Eve", password: "eve-password-1" })).rejects.toThrow(
      /not valid any more/,
    );
    await expect(hub.caller.user.invite({ email: "ann@test.local", role: "viewer" })).rejects.toThrow(/already has an account/);
  });

  it("changes roles, keeps at least one admin, and ends a removed user's sessions", async () => {
    const hub = await startTestHub();
    hubs.push(hub);
    const bob = await hub.addUser("viewer", "bob@test.local");
    const cookie = await hub.signIn("bob@test.local", "user-password-1");
    await hub.caller.user.setRole({ userId: bob.id, role: "approver" });
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie }))).toMatchObject({ role: "approver" });

    await expect(hub.caller.user.setRole({ userId: hub.admin.id, role: "viewer" })).rejects.toThrow(/at least one admin/);
    await expect(hub.caller.user.remove({ userId: hub.admin.id })).rejects.toThrow(/your own account/);

    await hub.caller.user.remove({ userId: bob.id });
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie }))).toBeNull();
    const actions = (await hub.db.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.role-changed", "user.removed"]));
  });
});
