import {
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  type HubToRunnerEvents,
  type RunnerProcess,
  type RunnerToHubEvents,
} from "@grove/core";
import { io, type Socket } from "socket.io-client";
import { expect } from "vitest";

export type TestRunnerSocket = Socket<HubToRunnerEvents, RunnerToHubEvents>;

/**
 * A runner's socket on the hub, as a real runner connects (token in auth and header), after its hello was taken.
 * `as`: the process it names at connect, answering `runner:ping` with it as a real runner does.
 */
export async function connectTestRunner(
  hub: { server: { url: string } },
  token: string,
  as?: RunnerProcess,
): Promise<TestRunnerSocket> {
  const runner: TestRunnerSocket = io(`${hub.server.url}${RUNNER_NAMESPACE}`, {
    auth: as ? { token, process: as } : { token },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    transports: ["websocket"],
  });
  if (as) runner.on("runner:ping", (ack) => ack(as));
  expect(await runner.timeout(60_000).emitWithAck("runner:hello", { host: "test", version: "0", repos: [] })).toMatchObject({
    ok: true,
  });
  return runner;
}
