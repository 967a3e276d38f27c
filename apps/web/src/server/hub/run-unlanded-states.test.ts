import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { type HubToRunnerEvents, type RunnerToHubEvents } from "@grove/core";
import { queuedRunsData } from "@grove/db";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

// A run whose agent changed nothing, and one whose CLI waited for input, as the runner reports them: each is
// stored in its own ended state with its explanation, shown so, and never gets a merge request.
type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN = "runner-token-for-unlanded-states-0123";
const BASE = "a".repeat(40);
const NO_CHANGES = "no changes: the agent exited without changing anything; agent/demo/idle is still at its base aaaaaaaaaaaa";
const NEEDS_INPUT =
  'needs input: the agent asked "Overwrite the existing config? [y/N]" and then waited 60 s with no output and no CPU.';

let hub: TestHub;
let runner: Runner;

beforeAll(async () => {
  hub = await startTestHub();
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  await hub.db.agentSession.create({
    data: {
      id: "session-u",
      runnerId,
      repoPath: "/repo",
      integration: "main",
      createdBy: hub.admin.id,
      runs: {
        create: queuedRunsData(
          ["idle", "asks"].map((taskId) => ({
            id: `run-${taskId}`,
            agent: "demo",
            taskId,
            profile: "demo",
            prompt: "",
            branch: `agent/demo/${taskId}`,
          })),
        ),
      },
    },
  });
  runner = await connectTestRunner(hub, TOKEN);
});
afterAll(async () => {
  runner.disconnect();
  await hub.close();
});

async function endRun(
  runId: string,
  state: "no_changes" | "needs_input",
  exit: { exitCode: number | null; signal: string | null },
  error: string,
) {
  const send = runner.timeout(60_000);
  expect(await send.emitWithAck("run:state", { runId, state: "running", at: 1_000, baseSha: BASE })).toEqual({ ok: true });
  // As finish-run.ts sends them: the report (the branch still at its base), then the final state with its reason.
  const report = {
    runId,
    ...exit,
    headSha: BASE,
    baseSha: BASE,
    diffStat: "",
    test: { status: "skipped" as const, exitCode: null, durationMs: 0 },
  };
  expect(await send.emitWithAck("run:report", { ...report, result: null, resultError: null })).toEqual({ ok: true });
  expect(await send.emitWithAck("run:state", { runId, state, at: 2_000, error })).toEqual({ ok: true });
}

describe("runs that end with no changes or needing input", () => {
  it("are stored in their own ended state with their explanation, shown so, with no merge request", async () => {
    await endRun("run-idle", "no_changes", { exitCode: 0, signal: null }, NO_CHANGES);
    await endRun("run-asks", "needs_input", { exitCode: null, signal: "SIGTERM" }, NEEDS_INPUT);

    expect(await hub.caller.run.byId({ id: "run-idle" })).toMatchObject({
      state: "no_changes",
      error: NO_CHANGES,
      endedAt: new Date(2_000),
      mergeRequests: [],
    });
    expect(await hub.caller.run.byId({ id: "run-asks" })).toMatchObject({
      state: "needs_input",
      error: NEEDS_INPUT,
      endedAt: new Date(2_000),
      mergeRequests: [],
    });
    expect(await hub.db.mergeRequest.count()).toBe(0);
    // Ended: the session is no longer live.
    expect(await hub.caller.session.list({ live: true })).toEqual([]);
    expect((await hub.caller.session.byId({ id: "session-u" })).runs.map((r) => `${r.id} ${r.state}`).sort()).toEqual([
      "run-asks needs_input",
      "run-idle no_changes",
    ]);
  });

  it("stay ended: a restarted runner's late report does not turn them into another state", async () => {
    const send = runner.timeout(60_000);
    expect(await send.emitWithAck("run:state", { runId: "run-idle", state: "interrupted", at: 3_000 })).toEqual({ ok: true });
    expect(await send.emitWithAck("run:state", { runId: "run-asks", state: "failed", at: 3_000, error: "late" })).toEqual({
      ok: true,
    });
    expect(await hub.db.run.findMany({ select: { id: true, state: true, error: true }, orderBy: { id: "asc" } })).toEqual([
      { id: "run-asks", state: "needs_input", error: NEEDS_INPUT },
      { id: "run-idle", state: "no_changes", error: NO_CHANGES },
    ]);
  });
});
