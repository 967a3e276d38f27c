import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD_TRIES } from "../../auth/account-changes.ts";
import { userFromHeaders } from "../../auth/sessions.ts";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

async function viewerSignedIn() {
  const hub = await startTestHub();
  hubs.push(hub);
  const viewer = await hub.addUser("viewer", "vic@test.local", "old-password-1");
  const cookie = await hub.signIn("vic@test.local", "old-password-1");
  const cookies: string[] = [];
  const caller = hub.callerAs(viewer, { headers: new Headers({ cookie }), setCookie: (c) => void cookies.push(c) });
  return { hub, viewer, cookie, cookies, caller };
}

const passwordOf = async (hub: TestHub, userId: string) =>
  (await hub.db.account.findFirst({ where: { userId, providerId: "credential" } }))?.password;

describe("own account", () => {
  it("refuses a new password when the current one is wrong, and changes nothing", async () => {
    const { hub, viewer, cookie, caller } = await viewerSignedIn();
    const before = await passwordOf(hub, viewer.id);
    await expect(
      caller.account.changePassword({ currentPassword: "wrong-password-1", newPassword: "new-password-12" }),
    ).rejects.toThrow("The current password is wrong; nothing was changed.");
    expect(await passwordOf(hub, viewer.id)).toBe(before);
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie }))).toMatchObject({ email: "vic@test.local" });
    await expect(hub.signIn("vic@test.local", "new-password-12")).rejects.toThrow();
    expect(await hub.db.auditEvent.count({ where: { action: "user.password-changed" } })).toBe(0);
  });

  it("refuses further tries after too many wrong current passwords, even the right one, and audits each wrong one", async () => {
    const { hub, viewer, caller } = await viewerSignedIn();
    const before = await passwordOf(hub, viewer.id);
    for (let i = 0; i < PASSWORD_TRIES; i++)
      await expect(
        caller.account.changePassword({ currentPassword: `wrong-password-${i}`, newPassword: "new-password-12" }),
      ).rejects.toThrow("The current password is wrong");
    await expect(
      caller.account.changePassword({ currentPassword: "old-password-1", newPassword: "new-password-12" }),
    ).rejects.toThrow(`${PASSWORD_TRIES} wrong current passwords in the last 15 minutes`);
    expect(await passwordOf(hub, viewer.id)).toBe(before);
    expect(await hub.db.auditEvent.count({ where: { action: "user.password-change-refused", actorId: "vic@test.local" } })).toBe(
      PASSWORD_TRIES,
    );
  });

  it("changes the password with the current one: the old one stops working, other sessions end, this browser stays in", async () => {
    const { hub, viewer, cookie, cookies, caller } = await viewerSignedIn();
    const otherBrowser = await hub.signIn("vic@test.local", "old-password-1");
    await caller.account.changePassword({ currentPassword: "old-password-1", newPassword: "new-password-12" });

    await expect(hub.signIn("vic@test.local", "old-password-1")).rejects.toThrow();
    expect(await hub.signIn("vic@test.local", "new-password-12")).toMatch(/session_token/);
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie: otherBrowser }))).toBeNull();
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie }))).toBeNull();
    const fresh = cookies.map((c) => c.split(";")[0]).join("; ");
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie: fresh }))).toMatchObject({ id: viewer.id });
    expect(await hub.db.auditEvent.count({ where: { action: "user.password-changed", subject: "vic@test.local" } })).toBe(1);
  });

  it("refuses a too-short new password before asking better-auth", async () => {
    const { hub, viewer, caller } = await viewerSignedIn();
    const before = await passwordOf(hub, viewer.id);
    await expect(caller.account.changePassword({ currentPassword: "old-password-1", newPassword: "short" })).rejects.toThrow(
      /at least 10 characters/,
    );
    expect(await passwordOf(hub, viewer.id)).toBe(before);
  });

  it("renames only the signed-in user, within bounds", async () => {
    const { hub, viewer, cookie, caller } = await viewerSignedIn();
    await caller.account.rename({ name: "  Vic Viewer  " });
    expect(await userFromHeaders(hub.server.deps.auth, new Headers({ cookie }))).toMatchObject({
      id: viewer.id,
      name: "Vic Viewer",
    });
    expect((await hub.db.user.findFirst({ where: { email: "admin@test.local" } }))?.name).not.toBe("Vic Viewer");

    for (const name of ["", "   ", "x".repeat(101), "bad\u0000name", "line\nbreak"]) {
      await expect(caller.account.rename({ name }), JSON.stringify(name)).rejects.toThrow(/empty|at most 100|control characters/);
    }
    expect((await hub.db.user.findUnique({ where: { id: viewer.id } }))?.name).toBe("Vic Viewer");
    expect(await hub.db.auditEvent.count({ where: { action: "user.renamed" } })).toBe(1);
  });

  it("refuses both changes without a signed-in session", async () => {
    const { hub } = await viewerSignedIn();
    await expect(hub.callerAs(null).account.rename({ name: "Eve" })).rejects.toThrow(/Sign in first/);
    await expect(
      hub.callerAs(null).account.changePassword({ currentPassword: "old-password-1", newPassword: "new-password-12" }),
    ).rejects.toThrow(/Sign in first/);
  });
});
