import { afterAll, beforeAll, expect, it } from "vitest";
import { io } from "socket.io-client";
import { RUNNER_NAMESPACE, RUNNER_TOKEN_HEADER, type RunReport } from "@grove/core";
import { createHubOutbox } from "./hub-outbox.ts";
import { createHubLink, type RunnerSocket } from "./hub-socket.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-outbox-tests-0123456";
let hub: TestHub;
let socket: RunnerSocket;
const logged: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ token: TOKEN });
  socket = io(`${hub.url}${RUNNER_NAMESPACE}`, { auth: { token: TOKEN }, extraHeaders: { [RUNNER_TOKEN_HEADER]: TOKEN } });
});
afterAll(async () => {
  socket.disconnect();
  await hub.close();
});

const report = (runId: string, uncommitted: string[]): Omit<RunReport, "usage"> => ({
  runId,
  exitCode: 0,
  signal: null,
  headSha: null,
  baseSha: null,
  diffStat: "",
  test: { status: "skipped", exitCode: null, durationMs: 0 },
  result: null,
  resultError: null,
  commits: 0,
  uncommitted,
  uncommittedCount: uncommitted.length,
  refusedActions: 0,
});

it("does not send an event larger than the hub reads (it would cut every reconnect short), and keeps its connection for the next", async () => {
  const link = createHubLink(
    socket,
    () => ({ host: "test", version: "0", repos: [] }),
    (line) => logged.push(line),
  );
  const outbox = createHubOutbox(link, (line) => logged.push(line));
  socket.connect();
  // 200 uncommitted paths of 4,096 control characters (legal in a file name): 4.9 MB of JSON escapes.
  const hostile = report(
    "run-big",
    Array.from({ length: 200 }, () => "\u0001".repeat(4096)),
  );
  expect(await outbox.send("run:report", hostile)).toBe(false);
  expect(logged).toContain("run:report is larger than the hub accepts in one message; not sent");
  expect(await outbox.send("run:report", report("run-small", ["notes.md"]))).toBe(true);
  expect(hub.connections).toBe(1);
  expect(hub.store.events.filter((e) => e.event === "run:report").map((e) => (e.payload as RunReport).runId)).toEqual([
    "run-small",
  ]);
  outbox.close();
});
