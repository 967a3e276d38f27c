import { afterAll, beforeAll, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { type HubToRunnerEvents, type RunnerToHubEvents, type RunState } from "@grove/core";
import { queuedRunsData } from "@grove/db";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN = "runner-token-for-run-state-tests-0123";

let hub: TestHub;
let runner: Runner;
let runId: string;

beforeAll(async () => {
  hub = await startTestHub();
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  const session = await hub.db.agentSession.create({
    data: {
      id: "session-s",
      runnerId,
      repoPath: "/repo",
      integration: "main",
      createdBy: hub.admin.id,
      runs: {
        create: queuedRunsData([{ agent: "demo", taskId: "s", profile: "demo", prompt: "", branch: "agent/demo/s" }]),
      },
    },
    include: { runs: true },
  });
  runId = session.runs[0]?.id ?? "";
  runner = await connectTestRunner(hub, TOKEN);
});
afterAll(async () => {
  runner.disconnect();
  await hub.close();
});

const report = (state: RunState, at: number, extra: { error?: string } = {}) =>
  runner.timeout(60_000).emitWithAck("run:state", { runId, state, at, ...extra });
const stored = () => hub.db.run.findUniqueOrThrow({ where: { id: runId } });

it("records the runner's steps, and acknowledges but drops a report the run's lifecycle refuses", async () => {
  expect(await report("running", 1_000)).toMatchObject({ ok: true });
  expect(await report("succeeded", 2_000)).toMatchObject({ ok: true });
  // A restarted runner's late word on a run that already ended: acknowledged (not sent again), not applied.
  expect(await report("interrupted", 3_000, { error: "the runner stopped" })).toMatchObject({ ok: true });
  expect(await stored()).toMatchObject({
    state: "succeeded",
    error: null,
    startedAt: new Date(1_000),
    endedAt: new Date(2_000),
  });
});
