import { afterAll, beforeAll, expect, it } from "vitest";
import {
  encodeLogLines,
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  runnerInUseMessage,
  type LogLine,
  type MergeExecute,
  type RunProgress,
} from "@grove/core";
import { waitFor } from "@grove/testing";
import { Redis } from "ioredis";
import { io } from "socket.io-client";
import { hashToken } from "../auth/secrets.ts";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { connectBrowser, startHubPair, type HubPair } from "../test-support/hub-pair.ts";
import { resumeMerges } from "../services/merge-dispatch.ts";
import { queueSnapshotOf } from "../test-support/queue-runner.ts";
import { connectTestRunner, type TestRunnerSocket } from "../test-support/test-runner-socket.ts";

const TOKEN = "runner-token-for-cross-instance-0123";

let pair: HubPair;
let runnerId: string;
let runId: string;
let runnerOnB: TestRunnerSocket;

beforeAll(async () => {
  pair = await startHubPair();
  runnerId = await ensureLocalRunner(pair.a.db, TOKEN);
  await pair.a.db.agentSession.create({
    data: { id: "session-x", runnerId, repoPath: "/repo", integration: "main", createdBy: pair.admin.id },
  });
  const run = await pair.a.db.run.create({
    data: {
      sessionId: "session-x",
      agent: "demo",
      taskId: "x",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/x",
      state: "running",
    },
  });
  runId = run.id;
  runnerOnB = await connectTestRunner(pair.b, TOKEN);
});
afterAll(async () => {
  runnerOnB.disconnect();
  await pair.close();
});

const lines = (from: number, count: number): LogLine[] =>
  Array.from({ length: count }, (_, i) => ({ seq: from + i, stream: "stdout", text: `line ${from + i}`, ts: 1 }));

it("shows a browser on A, live and in order, the log and progress of a run whose runner is on B", async () => {
  const browser = await connectBrowser(pair.a);
  const seen: number[] = [];
  const progress: RunProgress[] = [];
  browser.on("run:log", (batch) => seen.push(...batch.lines.map((l) => l.seq)));
  browser.on("run:progress", (p) => progress.push(p));
  expect(await browser.timeout(60_000).emitWithAck("run:subscribe", { runId, since: 0 })).toEqual({ ok: true });
  // As a runner ships: several batches in flight at once.
  const sent = Array.from({ length: 10 }, (_, b) =>
    runnerOnB
      .timeout(60_000)
      .emitWithAck("run:log", { runId, firstSeq: b * 100 + 1, lines: encodeLogLines(lines(b * 100 + 1, 100)) }),
  );
  await Promise.all(sent);
  const at = Date.now();
  const step = { runId, step: "worktree", phase: "checkout", percent: 50, processed: 5, total: 10, at } as const;
  expect(await runnerOnB.timeout(60_000).emitWithAck("run:progress", step)).toEqual({ ok: true });
  await waitFor(
    () => seen.includes(1000) && progress.length > 0,
    60_000,
    () => `lines up to 1000 (have ${seen.length})`,
  );
  // The browser dedupes by seq: what arrives first for each seq must come in order, every line once at least.
  const firsts = seen.filter((seq, i) => seen.indexOf(seq) === i);
  expect(firsts).toEqual(lines(1, 1000).map((l) => l.seq));
  expect(progress).toEqual([step]);
  browser.disconnect();
});

it("puts a run's lines on the bus for the instances whose browsers follow it, and no browser's messages", async () => {
  const newRun = async (taskId: string) =>
    (
      await pair.a.db.run.create({
        data: {
          sessionId: "session-x",
          agent: "demo",
          taskId,
          profile: "demo",
          prompt: "",
          branch: `agent/demo/${taskId}`,
          state: "running",
        },
      })
    ).id;
  const [quiet, local, followed] = [await newRun("quiet"), await newRun("local"), await newRun("followed")];
  const bus = new Redis(pair.redis.url);
  const heard: { channel: string; text: string }[] = [];
  bus.on("pmessageBuffer", (_pattern: string, channel: Buffer, message: Buffer) =>
    heard.push({ channel: channel.toString(), text: message.toString() }),
  );
  await bus.psubscribe("*");
  // Nobody follows `quiet`; a browser on B, the runner's instance, follows `local`; one on A follows `followed`.
  const [onB, onA] = [await connectBrowser(pair.b), await connectBrowser(pair.a)];
  const seenOnA: string[] = [];
  const seenOnB: string[] = [];
  onA.on("run:log", (batch) => seenOnA.push(...batch.lines.map((l) => l.text)));
  onB.on("run:log", (batch) => seenOnB.push(...batch.lines.map((l) => l.text)));
  expect(await onB.timeout(60_000).emitWithAck("run:subscribe", { runId: local, since: 0 })).toEqual({ ok: true });
  expect(await onA.timeout(60_000).emitWithAck("run:subscribe", { runId: followed, since: 0 })).toEqual({ ok: true });
  const send = (runId: string, seq: number, text: string) =>
    runnerOnB
      .timeout(60_000)
      .emitWithAck("run:log", { runId, firstSeq: seq, lines: encodeLogLines([{ seq, stream: "stdout", text, ts: 1 }]) });
  expect(await send(quiet, 1, "quiet line")).toEqual({ ok: true, ackedSeq: 1 });
  expect(await send(local, 1, "local line")).toEqual({ ok: true, ackedSeq: 1 });
  expect(await send(followed, 1, "followed line")).toEqual({ ok: true, ackedSeq: 1 });
  // Redis delivers one connection's messages in order: B's earlier ones are heard before this one.
  await waitFor(() => seenOnA.includes("followed line") && heard.some((m) => m.text.includes("followed line")), 60_000);
  const channelsOf = (text: string) => heard.filter((m) => m.text.includes(text)).map((m) => m.channel);
  expect(channelsOf("followed line")).toEqual([`grove-log:${followed}`]);
  // Each to its run's channel only: B's browser got its line from B itself, not through the bus's adapter.
  expect(channelsOf("local line")).toEqual([`grove-log:${local}`]);
  expect(channelsOf("quiet line")).toEqual([`grove-log:${quiet}`]);
  expect([seenOnA, seenOnB]).toEqual([["followed line"], ["local line"]]);
  const commands = new Redis(pair.redis.url);
  const listeners = async (runId: string) => Number((await commands.pubsub("NUMSUB", `grove-log:${runId}`))[1]);
  // Nobody receives `quiet`'s; B listens to `local` (its runner may move to A) and drops its own lines.
  expect([await listeners(quiet), await listeners(local), await listeners(followed)]).toEqual([0, 1, 1]);
  onA.disconnect();
  await waitFor(
    async () => (await listeners(followed)) === 0,
    60_000,
    () => "A to stop listening to the run it no longer shows",
  );
  onB.disconnect();
  bus.disconnect();
  commands.disconnect();
});

it("counts B's runner online on A and tells A's browsers when it goes", async () => {
  expect(pair.a.server.hub.isRunnerOnline(runnerId)).toBe(true);
  expect(pair.a.server.hub.onlineRunnerIds()).toEqual([runnerId]);
  const browser = await connectBrowser(pair.a);
  const changes: unknown[] = [];
  browser.on("grove:changed", (change) => changes.push(change));
  runnerOnB.disconnect();
  await waitFor(
    () => !pair.a.server.hub.isRunnerOnline(runnerId),
    60_000,
    () => "the runner offline on A",
  );
  await waitFor(() => changes.some((c) => JSON.stringify(c) === JSON.stringify({ scope: "runners", id: runnerId })), 60_000);
  browser.disconnect();
  runnerOnB = await connectTestRunner(pair.b, TOKEN);
  await waitFor(
    () => pair.a.server.hub.isRunnerOnline(runnerId),
    60_000,
    () => "the runner online on A again",
  );
});

it("has an approval made on A executed by the runner on B, with the runner's ack", async () => {
  const run = await pair.a.db.run.create({
    data: {
      sessionId: "session-x",
      agent: "demo",
      taskId: "m",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/m",
      state: "succeeded",
      testStatus: "passed",
    },
  });
  const mr = await pair.a.db.mergeRequest.create({
    data: { runId: run.id, branch: run.branch, integration: "main", headSha: "b".repeat(40), state: "open" },
  });
  const executed: MergeExecute[] = [];
  runnerOnB.on("merge:execute", (payload, ack) => {
    executed.push(payload);
    ack({ ok: true });
  });
  await pair.a.caller.merge.approve({ id: mr.id, sha: mr.headSha });
  expect(executed.map((e) => e.mergeRequestId)).toEqual([mr.id]);
  expect((await pair.b.db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).state).toBe("merging");
});

it("carries a cancel and a runner query from A to the runner on B and their answers back", async () => {
  runnerOnB.on("run:cancel", (payload, ack) => ack(payload.runId === runId ? { ok: true } : { ok: false, error: "unknown run" }));
  runnerOnB.on("repo:info", (_payload, ack) => ack({ ok: false, error: "no such repository on this runner" }));
  expect(await pair.a.server.hub.cancelRun(runnerId, runId)).toEqual({ ok: true });
  await expect(pair.a.server.hub.ask(runnerId, "repo:info", { repoPath: "/elsewhere" })).rejects.toThrow(
    /no such repository on this runner/,
  );
  expect(await pair.a.server.hub.cancelRun("runner-of-nobody", runId)).toEqual({ ok: false, error: "the runner is offline" });
});

it("lists on A the merge queue the runner on B reported, and puts an entry first on B's runner from A", async () => {
  const repos = [{ path: "/repo", name: "repo", integration: "main" }];
  expect(await runnerOnB.timeout(60_000).emitWithAck("runner:hello", { host: "test", version: "0", repos })).toMatchObject({
    ok: true,
  });
  const mr = await pair.b.db.mergeRequest.create({
    data: { runId, branch: "agent/demo/x", integration: "main", headSha: "d".repeat(40), state: "approved" },
  });
  const snapshot = queueSnapshotOf([{ id: mr.id, runId, branch: mr.branch }], { repoPath: "/repo", at: 7 });
  expect(await runnerOnB.timeout(60_000).emitWithAck("queue:snapshot", snapshot)).toEqual({ ok: true });
  expect((await pair.a.caller.queue.list()).map((q) => [q.runnerId, q.repoPath, q.at])).toEqual([[runnerId, "/repo", 7]]);
  runnerOnB.on("merge:prioritize", (payload, ack) =>
    ack(payload.mergeRequestId === mr.id ? { ok: true } : { ok: false, error: "not queued" }),
  );
  expect(await pair.a.server.hub.prioritizeMerge(runnerId, mr.id)).toEqual({ ok: true });
});

it("resends a dispatched merge only from the instance the runner is connected to", async () => {
  const run = await pair.a.db.run.create({
    data: {
      sessionId: "session-x",
      agent: "demo",
      taskId: "r",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/r",
      state: "succeeded",
    },
  });
  const mr = await pair.a.db.mergeRequest.create({
    data: { runId: run.id, branch: run.branch, integration: "main", headSha: "e".repeat(40), state: "merging", approval: "auto" },
  });
  const resent: string[] = [];
  runnerOnB.on("merge:execute", (payload, ack) => {
    if (payload.mergeRequestId === mr.id) resent.push(payload.mergeRequestId);
    ack({ ok: true });
  });
  // A hello the runner sent A before it moved to B: A's resend must not reach it through the bus as well.
  await resumeMerges({ db: pair.a.db, hub: pair.a.server.hub }, runnerId);
  await resumeMerges({ db: pair.b.db, hub: pair.b.server.hub }, runnerId);
  expect(resent).toEqual([mr.id]);
});

it("refuses on A a second process with the token of a runner connected to B while that one answers; lets it in once it left", async () => {
  const token = "runner-token-one-process-0123456789";
  await pair.a.db.runner.create({ data: { name: "laptop", tokenHash: hashToken(token) } });
  const first = await connectTestRunner(pair.b, token, { instance: "1-first", pid: 1, host: "laptop-1" });
  const second = io(`${pair.a.server.url}${RUNNER_NAMESPACE}`, {
    auth: { token, process: { instance: "2-second", pid: 2, host: "laptop-2" } },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    transports: ["websocket"],
    reconnection: false,
  });
  const refusal = await new Promise<Error>((resolve) => second.once("connect_error", resolve));
  expect(refusal.message).toBe(runnerInUseMessage({ instance: "1-first", pid: 1, host: "laptop-1" }));
  expect(first.connected).toBe(true);
  first.disconnect();
  const next = await connectTestRunner(pair.a, token, { instance: "2-second", pid: 2, host: "laptop-2" });
  expect(next.connected).toBe(true);
  next.disconnect();
});
