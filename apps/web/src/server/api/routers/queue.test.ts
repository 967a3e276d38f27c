import { afterAll, beforeAll, expect, it } from "vitest";
import type { Ack, MergePrioritize } from "@grove/core";
import { waitFor } from "@grove/testing";
import type { SessionUser } from "../../auth/sessions.ts";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";
import { connectQueueRunner, queueSnapshotOf } from "../../test-support/queue-runner.ts";

const TOKEN = "queue-router-runner-token-0123456789";
let hub: TestHub;
let runner: Awaited<ReturnType<typeof connectQueueRunner>>;
let viewer: SessionUser;
let approver: SessionUser;
const asked: MergePrioritize[] = [];
let answer: Ack = { ok: true };

beforeAll(async () => {
  hub = await startTestHub();
  viewer = await hub.addUser("viewer");
  approver = await hub.addUser("approver");
  runner = await connectQueueRunner(hub, TOKEN, ["first", "second", "third", "fourth"]);
  runner.socket.on("merge:prioritize", (payload, ack) => {
    asked.push(payload);
    ack(answer);
  });
  expect(
    await runner.socket.timeout(60_000).emitWithAck("queue:snapshot", queueSnapshotOf(runner.requests, { parallel: 2 })),
  ).toEqual({
    ok: true,
  });
});
afterAll(async () => {
  runner.socket.disconnect();
  await hub.close();
});

const prioritized = () => hub.db.auditEvent.findMany({ where: { action: "merge.prioritized" } });
const idOf = (index: number) => runner.requests[index]?.id ?? "";

it("shows every signed-in user the queue, and refuses anyone signed out", async () => {
  const [queue] = await hub.callerAs(viewer).queue.list();
  expect(queue?.entries.map((e) => [e.position, e.state, e.slot])).toEqual([
    [0, "testing", 0],
    [1, "testing", 1],
    [2, "waiting", null],
    [3, "waiting", null],
  ]);
  await expect(hub.callerAs(null).queue.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
});

it("refuses a viewer's put-first: nothing is sent, nothing audited", async () => {
  await expect(hub.callerAs(viewer).queue.putFirst({ mergeRequestId: idOf(3) })).rejects.toMatchObject({
    code: "FORBIDDEN",
    message: "This needs the approver role; you are a viewer.",
  });
  expect(asked).toEqual([]);
  expect(await prioritized()).toEqual([]);
});

it("refuses bad input and requests that do not wait in the queue, without asking the runner", async () => {
  const caller = hub.callerAs(approver);
  await expect(caller.queue.putFirst({ mergeRequestId: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  await expect(caller.queue.putFirst({ mergeRequestId: "no-such-request" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(caller.queue.putFirst({ mergeRequestId: idOf(0) })).rejects.toMatchObject({
    code: "BAD_REQUEST",
    message: "This merge request cannot be put first: it is first already.",
  });
  // The front one landing: it cannot move, and the one behind it is first among those that can.
  const landing = queueSnapshotOf(runner.requests, { parallel: 2, at: 2 });
  landing.entries = landing.entries.map((e) => (e.position === 0 ? { ...e, state: "landing" } : e));
  expect(await runner.socket.timeout(60_000).emitWithAck("queue:snapshot", landing)).toEqual({ ok: true });
  await expect(caller.queue.putFirst({ mergeRequestId: idOf(0) })).rejects.toMatchObject({
    message: "This merge request cannot be put first: it is landing now.",
  });
  await expect(caller.queue.putFirst({ mergeRequestId: idOf(1) })).rejects.toMatchObject({
    message: "This merge request cannot be put first: it is first already.",
  });
  expect(
    await runner.socket.timeout(60_000).emitWithAck("queue:snapshot", queueSnapshotOf(runner.requests, { parallel: 2, at: 3 })),
  ).toEqual({ ok: true });
  await hub.db.mergeRequest.update({ where: { id: idOf(2) }, data: { state: "open" } });
  await expect(caller.queue.putFirst({ mergeRequestId: idOf(2) })).rejects.toMatchObject({
    code: "BAD_REQUEST",
    message: expect.stringMatching(/^This merge request is open; only an approved one/) as unknown,
  });
  await hub.db.mergeRequest.update({ where: { id: idOf(2) }, data: { state: "merging" } });
  expect(asked).toEqual([]);
  expect(await prioritized()).toEqual([]);
});

it("passes the runner's refusal on as a readable error, audited as nothing", async () => {
  answer = { ok: false, error: "it started testing a moment ago" };
  await expect(hub.callerAs(approver).queue.putFirst({ mergeRequestId: idOf(3) })).rejects.toMatchObject({
    code: "BAD_REQUEST",
    message: "The runner did not put it first: it started testing a moment ago.",
  });
  expect(asked).toEqual([{ mergeRequestId: idOf(3) }]);
  expect(await prioritized()).toEqual([]);
  answer = { ok: true };
  asked.length = 0;
});

it("lets an approver put a waiting request first: the owning runner is asked, the move audited with where it stood", async () => {
  expect(await hub.callerAs(approver).queue.putFirst({ mergeRequestId: idOf(3) })).toEqual({ positionBefore: 3 });
  expect(asked).toEqual([{ mergeRequestId: idOf(3) }]);
  const [event] = await prioritized();
  expect(event).toMatchObject({ actorType: "user", actorId: approver.email, subject: idOf(3), branch: "agent/demo/fourth" });
  expect(JSON.parse(event?.details ?? "{}")).toMatchObject({ positionBefore: 3, integration: "main" });
});

it("lets an approver put a request being tested first too (the runner re-tests it at the front): one more event", async () => {
  asked.length = 0;
  expect(await hub.callerAs(approver).queue.putFirst({ mergeRequestId: idOf(1) })).toEqual({ positionBefore: 1 });
  expect(asked).toEqual([{ mergeRequestId: idOf(1) }]);
  expect((await prioritized()).map((e) => [e.subject, e.actorId])).toEqual([
    [idOf(3), approver.email],
    [idOf(1), approver.email],
  ]);
});

it("says the runner is offline once it is, and changes nothing", async () => {
  asked.length = 0;
  runner.socket.disconnect();
  await waitFor(() => !hub.server.hub.isRunnerOnline(runner.runnerId), 60_000);
  await expect(hub.callerAs(approver).queue.putFirst({ mergeRequestId: idOf(2) })).rejects.toMatchObject({
    code: "PRECONDITION_FAILED",
    message: "The runner that owns this repository is offline.",
  });
  expect(await hub.callerAs(approver).queue.list()).toEqual([]);
  expect(await prioritized()).toHaveLength(2);
});
