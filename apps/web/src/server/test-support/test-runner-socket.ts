import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER, type HubToRunnerEvents, type RunnerToHubEvents } from "@grove/core";
import { io, type Socket } from "socket.io-client";
import { expect } from "vitest";

export type TestRunnerSocket = Socket<HubToRunnerEvents, RunnerToHubEvents>;

/** A runner's socket on the hub, as a real runner connects (token in auth and header), after its hello was taken. */
export async function connectTestRunner(hub: { server: { url: string } }, token: string): Promise<TestRunnerSocket> {
  const runner: TestRunnerSocket = io(`${hub.server.url}${RUNNER_NAMESPACE}`, {
    auth: { token },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    transports: ["websocket"],
  });
  expect(await runner.timeout(5_000).emitWithAck("runner:hello", { host: "test", version: "0", repos: [] })).toMatchObject({
    ok: true,
  });
  return runner;
}
