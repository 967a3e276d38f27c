import { afterAll, beforeAll, expect, it } from "vitest";
import { io } from "socket.io-client";
import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER } from "@grove/core";
import { describeConnectError } from "./hub-socket.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-hub-socket-tests-012";
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ token: TOKEN });
});
afterAll(() => hub.close());

it("names a token the hub refused at the handshake, instead of a bare transport error", async () => {
  const wrong = "a-token-the-hub-does-not-know-0123456";
  // Long-polling first, as the daemon connects.
  const socket = io(`${hub.url}${RUNNER_NAMESPACE}`, {
    auth: { token: wrong },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: wrong },
    reconnection: false,
  });
  const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
  socket.disconnect();
  expect(describeConnectError(error)).toBe("the hub refused this runner's token (unknown or revoked)");
  expect(hub.connections).toBe(0);
});
