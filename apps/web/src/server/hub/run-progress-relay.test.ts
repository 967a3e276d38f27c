import { afterAll, beforeAll, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import {
  type BrowserToHubEvents,
  type HubToBrowserEvents,
  type HubToRunnerEvents,
  type RunnerToHubEvents,
  type RunProgress,
} from "@grove/core";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
type Browser = Socket<HubToBrowserEvents, BrowserToHubEvents>;
const TOKEN = "runner-token-for-progress-tests-0123";

let hub: TestHub;
let runner: Runner;
let browser: Browser;
let runId: string;

beforeAll(async () => {
  hub = await startTestHub();
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  const session = await hub.db.agentSession.create({
    data: { id: "session-p", runnerId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: "p",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/p",
      state: "preparing",
    },
  });
  runId = run.id;
  runner = await connectTestRunner(hub, TOKEN);
  browser = io(hub.server.url, {
    path: "/socket.io/",
    extraHeaders: { cookie: await hub.signIn() },
    transports: ["websocket"],
    reconnection: false,
  });
  expect(await browser.timeout(60_000).emitWithAck("run:subscribe", { runId, since: 0 })).toEqual({ ok: true });
});
afterAll(async () => {
  browser.disconnect();
  runner.disconnect();
  await hub.close();
});

const progress = (percent: number): RunProgress => ({
  runId,
  step: "worktree",
  phase: "updating files",
  percent,
  processed: percent * 3,
  total: 300,
  at: 1,
});
const send = (payload: unknown) => runner.timeout(60_000).emitWithAck("run:progress", payload as RunProgress);

it("passes a run's progress from its runner to the browsers showing the run", async () => {
  const received = new Promise<RunProgress>((resolve) => browser.once("run:progress", resolve));
  expect(await send(progress(40))).toEqual({ ok: true });
  expect(await received).toEqual(progress(40));
});

it("refuses progress of another runner's run and a payload out of bounds", async () => {
  expect(await send({ ...progress(10), runId: "run-of-nobody" })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/not one of this runner's runs/) as unknown,
  });
  expect(await send({ ...progress(10), percent: 101 })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/invalid payload:[\s\S]*→ at percent/) as unknown,
  });
  expect(await send({ ...progress(10), phase: "x".repeat(61) })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/invalid payload:[\s\S]*→ at phase/) as unknown,
  });
});
