import { afterAll, beforeAll, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { type HubToRunnerEvents, type RunnerToHubEvents } from "@grove/core";
import { waitFor } from "@grove/testing";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

// The refused-actions count a runner reports (counted from Claude Code's permission_denied events as the
// agent printed them) is stored on the run once, and is what the run and its approval card show.

const TOKEN = "runner-token-for-refusal-tests-0123";
const [headSha, baseSha] = ["a", "b"].map((c) => c.repeat(40)) as [string, string];
let hub: TestHub;
let runner: Socket<HubToRunnerEvents, RunnerToHubEvents>;

beforeAll(async () => {
  hub = await startTestHub();
  await ensureLocalRunner(hub.db, TOKEN);
  runner = await connectTestRunner(hub, TOKEN);
});
afterAll(async () => {
  runner.disconnect();
  await hub.close();
});

async function reportRun(taskId: string, refusedActions?: number): Promise<string> {
  const runnerId = (await hub.db.runner.findFirstOrThrow()).id;
  const session = await hub.db.agentSession.create({
    data: { id: `session-${taskId}`, runnerId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const branch = `agent/claude/${taskId}`;
  const run = await hub.db.run.create({
    data: { sessionId: session.id, agent: "claude", taskId, profile: "claude", prompt: "", branch, state: "running" },
  });
  const report = {
    runId: run.id,
    exitCode: 0,
    signal: null,
    headSha,
    baseSha,
    diffStat: " 1 file changed",
    test: { status: "passed" as const, exitCode: 0, durationMs: 5 },
    result: null,
    resultError: null,
    commits: 1,
  };
  expect(
    await runner.timeout(60_000).emitWithAck("run:report", refusedActions === undefined ? report : { ...report, refusedActions }),
  ).toEqual({ ok: true });
  return run.id;
}

it("stores the reported count on the run and shows it on the merge request's card", async () => {
  const runId = await reportRun("refused", 2);
  expect((await hub.caller.run.byId({ id: runId })).refusedActions).toBe(2);
  await waitFor(
    () => hub.db.mergeRequest.findFirst({ where: { runId } }),
    60_000,
    () => "the merge request",
  );
  const cards = await hub.caller.approval.list({ filter: "waiting" });
  expect(cards.find((card) => card.run.id === runId)?.run.refusedActions).toBe(2);
});

it("counts none for a runner that does not report the count (an older runner, or another CLI)", async () => {
  const runId = await reportRun("older");
  expect((await hub.caller.run.byId({ id: runId })).refusedActions).toBe(0);
});

it("refuses a count that is no non-negative integer", async () => {
  const runId = (await hub.db.run.findFirstOrThrow({ where: { taskId: "refused" } })).id;
  const bad = {
    runId,
    exitCode: 0,
    signal: null,
    headSha,
    baseSha,
    diffStat: "",
    test: { status: "passed" as const, exitCode: 0, durationMs: 5 },
    result: null,
    resultError: null,
    refusedActions: -1,
  };
  expect(await runner.timeout(60_000).emitWithAck("run:report", bad)).toMatchObject({ ok: false });
  expect((await hub.caller.run.byId({ id: runId })).refusedActions).toBe(2);
});
