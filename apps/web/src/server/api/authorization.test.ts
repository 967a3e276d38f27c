import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { appRouter } from "./root.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { describeRefusal, HANDSHAKE_REFUSED } from "../test-support/socket-refusal.ts";

/** Callable without a session: the first-run setup and invitations carry their own one-time token. */
const PUBLIC = new Set(["auth.me", "setup.status", "setup.createAdmin", "user.invitation", "user.acceptInvite"]);
const APPROVER = ["session.start", "run.cancel", "approval.approve", "approval.reject", "merge.approve", "merge.reject"];
const ADMIN = [
  "user.list",
  "user.invite",
  "user.revokeInvite",
  "user.setRole",
  "user.remove",
  "runner.create",
  "runner.revoke",
  "health.fix",
  "notification.setWebhook",
  "notification.testWebhook",
];

// A flat record keyed by dotted path ("run.log.list") at runtime.
const procedures = Object.entries(appRouter._def.procedures).flatMap(([path, procedure]) =>
  "_def" in procedure && typeof procedure._def === "object" && procedure._def !== null && "type" in procedure._def
    ? [{ path, type: String(procedure._def.type) }]
    : [],
);

let hub: TestHub;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  hub = await startTestHub();
  for (const role of ["viewer", "approver"] as const) {
    const user = await hub.addUser(role, `${role}@test.local`);
    cookies[role] = await hub.signIn(user.email, "user-password-1");
  }
});
afterAll(() => hub.close());

async function call(path: string, type: string, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    origin: hub.server.url,
    ...(cookie ? { cookie } : {}),
  };
  return type === "query"
    ? fetch(`${hub.server.url}/api/trpc/${path}`, { headers })
    : fetch(`${hub.server.url}/api/trpc/${path}`, { method: "POST", headers, body: JSON.stringify({ json: {} }) });
}

describe("every procedure is authorised on the server", () => {
  it("answers 401 to every non-public procedure called without a session, and leaks no stack", async () => {
    const open = procedures.filter((p) => !PUBLIC.has(p.path));
    expect(open.length).toBeGreaterThan(30);
    for (const { path, type } of open) {
      const response = await call(path, type);
      expect(response.status, path).toBe(401);
      expect(await response.text(), path).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it("refuses approver and admin procedures to a viewer, and admin procedures to an approver (403)", async () => {
    const typeOf = new Map(procedures.map((p) => [p.path, p.type]));
    for (const path of [...APPROVER, ...ADMIN]) {
      expect(typeOf.has(path), `${path} exists`).toBe(true);
      expect((await call(path, typeOf.get(path) ?? "mutation", cookies.viewer)).status, `viewer ${path}`).toBe(403);
    }
    for (const path of ADMIN)
      expect((await call(path, typeOf.get(path) ?? "mutation", cookies.approver)).status, `approver ${path}`).toBe(403);
  });

  it("lets a viewer read every other procedure", async () => {
    const restricted = new Set([...APPROVER, ...ADMIN]);
    for (const { path, type } of procedures.filter((p) => p.type === "query" && !PUBLIC.has(p.path) && !restricted.has(p.path))) {
      expect([401, 403], `viewer ${path}`).not.toContain((await call(path, type, cookies.viewer)).status);
    }
  });

  it("refuses a socket without a session, or with a forged cookie, at connect", async () => {
    for (const cookie of [undefined, "grove.session_token=forged.value"]) {
      const socket = io(hub.server.url, {
        path: "/socket.io/",
        transports: ["websocket"],
        reconnection: false,
        extraHeaders: cookie ? { cookie } : {},
      });
      const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
      expect(describeRefusal(error)).toMatch(HANDSHAKE_REFUSED);
      socket.disconnect();
    }
  });
});
