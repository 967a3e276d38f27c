import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER } from "@grove/core";
import { waitFor } from "@grove/testing";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";
import { describeRefusal, HANDSHAKE_REFUSED } from "../../test-support/socket-refusal.ts";

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

function connectRunner(token: string): Socket {
  return io(`${hub.server.url}${RUNNER_NAMESPACE}`, {
    auth: { token },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    transports: ["websocket"],
    reconnection: false,
  });
}

describe("runner tokens", () => {
  it("creates a token shown once (stored hashed); the runner connects, reports itself, and is cut off when revoked", async () => {
    const created = await hub.caller.runner.create({ name: "ci box" });
    expect(created.token.length).toBeGreaterThanOrEqual(40);
    const row = await hub.db.runner.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).not.toContain(created.token);

    const socket = connectRunner(created.token);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    const ack: unknown = await socket.emitWithAck("runner:hello", {
      host: "ci-host",
      version: "9.9.9",
      repos: [{ path: "/srv/app", name: "app", integration: "main" }],
    });
    expect(ack).toMatchObject({ ok: true });
    const listed = (await hub.caller.runner.list()).find((r) => r.id === created.id);
    expect(listed).toMatchObject({ name: "ci box", host: "ci-host", version: "9.9.9", online: true, repos: [{ name: "app" }] });
    expect(listed?.lastSeenAt).toBeInstanceOf(Date);

    const dropped = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    await hub.caller.runner.revoke({ id: created.id });
    expect(await dropped).toBe("io server disconnect");
    await waitFor(() => !hub.server.hub.isRunnerOnline(created.id), 60_000);
    expect((await hub.caller.runner.list()).some((r) => r.id === created.id)).toBe(false);
    expect((await hub.caller.runner.list({ includeRevoked: true })).find((r) => r.id === created.id)?.revokedAt).toBeInstanceOf(
      Date,
    );

    const again = connectRunner(created.token);
    const refused = await new Promise<Error>((resolve) => again.once("connect_error", resolve));
    // Refused at the handshake: a revoked token gets no connection at all.
    expect(describeRefusal(refused)).toMatch(HANDSHAKE_REFUSED);
    again.disconnect();
    expect((await hub.db.auditEvent.findMany({ where: { subject: "ci box" } })).map((e) => e.action)).toEqual([
      "runner.registered",
      "runner.revoked",
    ]);
  });
});
