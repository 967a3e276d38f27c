import { afterAll, beforeAll, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, Changed, HubToBrowserEvents, QueueSnapshot } from "@grove/core";
import { waitFor } from "@grove/testing";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectQueueRunner, QUEUE_REPO, queueSnapshotOf } from "../test-support/queue-runner.ts";

type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;
let hub: TestHub;
let browser: Browser;
let runner: Awaited<ReturnType<typeof connectQueueRunner>>;
let other: Awaited<ReturnType<typeof connectQueueRunner>>;
const changes: Changed[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  runner = await connectQueueRunner(hub, "queue-snapshot-runner-token-0123456789", ["a", "b", "c"]);
  other = await connectQueueRunner(hub, "queue-snapshot-other-token-0123456789", ["x"]);
  browser = io(hub.server.url, {
    path: "/socket.io/",
    extraHeaders: { cookie: await hub.signIn() },
    transports: ["websocket"],
    reconnection: false,
  });
  browser.on("grove:changed", (change) => changes.push(change));
  await new Promise<void>((resolve) => browser.once("connect", () => resolve()));
});
afterAll(async () => {
  browser.disconnect();
  runner.socket.disconnect();
  other.socket.disconnect();
  await hub.close();
});

const send = (socket: typeof runner.socket, payload: unknown) =>
  socket.timeout(60_000).emitWithAck("queue:snapshot", payload as QueueSnapshot);
const listed = () => hub.caller.queue.list();

it("keeps the latest queue a runner reports and tells the browsers", async () => {
  const snapshot = queueSnapshotOf(runner.requests, { parallel: 2, at: 10 });
  expect(await send(runner.socket, snapshot)).toEqual({ ok: true });
  const [queue] = await listed();
  expect(queue).toMatchObject({ runnerId: runner.runnerId, repoPath: QUEUE_REPO, repoName: "queue-repo", parallel: 2 });
  expect(queue?.entries.map((e) => [e.branch, e.state])).toEqual([
    ["agent/demo/a", "testing"],
    ["agent/demo/b", "testing"],
    ["agent/demo/c", "waiting"],
  ]);
  await waitFor(() => changes.some((c) => c.scope === "queue"), 60_000);
});

it("keeps the newer of two snapshots of one queue whatever order they arrive in", async () => {
  const newer = queueSnapshotOf(runner.requests.slice(1), { at: 30 });
  expect(await send(runner.socket, newer)).toEqual({ ok: true });
  expect(await send(runner.socket, queueSnapshotOf(runner.requests, { at: 20 }))).toEqual({ ok: true });
  expect((await listed())[0]?.entries.map((e) => e.branch)).toEqual(["agent/demo/b", "agent/demo/c"]);
});

it("refuses a malformed snapshot, a repository the runner does not serve, and another runner's requests", async () => {
  const before = await listed();
  const valid = queueSnapshotOf(runner.requests, { at: 40 });
  expect(await send(runner.socket, { ...valid, parallel: 0 })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/invalid payload:[\s\S]*→ at parallel/) as unknown,
  });
  expect(await send(runner.socket, { ...valid, entries: [{ ...valid.entries[0], headSha: "not-a-sha" }] })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/invalid payload:[\s\S]*headSha/) as unknown,
  });
  expect(await send(runner.socket, queueSnapshotOf(runner.requests, { at: 40, repoPath: "/elsewhere" }))).toMatchObject({
    ok: false,
    error: expect.stringMatching(/does not serve \/elsewhere/) as unknown,
  });
  // The other runner serves the same path, but these requests are not its own.
  expect(await send(other.socket, queueSnapshotOf(runner.requests, { at: 40 }))).toMatchObject({
    ok: false,
    error: expect.stringMatching(/not this runner's/) as unknown,
  });
  expect(await listed()).toEqual(before);
});

it("forgets a queue once it is empty, and every queue of a runner that disconnects", async () => {
  expect(await send(other.socket, queueSnapshotOf(other.requests, { at: 50 }))).toEqual({ ok: true });
  expect((await listed()).map((q) => q.runnerId).sort()).toEqual([runner.runnerId, other.runnerId].sort());
  expect(await send(other.socket, { ...queueSnapshotOf(other.requests, { at: 60 }), entries: [] })).toEqual({ ok: true });
  expect((await listed()).map((q) => q.runnerId)).toEqual([runner.runnerId]);

  changes.length = 0;
  runner.socket.disconnect();
  await waitFor(async () => (await listed()).length === 0, 60_000);
  await waitFor(() => changes.some((c) => c.scope === "queue"), 60_000);
});
