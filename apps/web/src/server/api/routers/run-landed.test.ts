import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalRunner } from "../../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";

// A run's page says where its work landed: the merge commit its merge request recorded on the integration branch.
const MERGE_SHA = "0123456789abcdef0123456789abcdef01234567";
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  const runnerId = await ensureLocalRunner(hub.db, "runner-token-for-landed-tests-0123");
  await hub.db.agentSession.create({
    data: { id: "session-l", runnerId, repoPath: "/repo", integration: "trunk", createdBy: hub.admin.id },
  });
  for (const [task, state] of [
    ["landed", "merged"],
    ["waiting", "open"],
  ] as const) {
    const run = await hub.db.run.create({
      data: {
        id: `run-${task}`,
        sessionId: "session-l",
        agent: "demo",
        taskId: task,
        profile: "demo",
        prompt: "",
        branch: `agent/demo/${task}`,
        state: "succeeded",
        testStatus: "passed",
      },
    });
    await hub.db.mergeRequest.create({
      data: {
        runId: run.id,
        branch: run.branch,
        integration: "trunk",
        headSha: "f".repeat(40),
        state,
        decidedBy: state === "merged" ? "admin@test.local" : null,
        mergeSha: state === "merged" ? MERGE_SHA : null,
      },
    });
  }
});
afterAll(() => hub.close());

describe("run.byId", () => {
  it("names where a landed run merged: the integration branch and the merge commit", async () => {
    const run = await hub.caller.run.byId({ id: "run-landed" });
    expect(run.outcome).toBe("landed");
    expect(run.landed).toMatchObject({ integration: "trunk", mergeSha: MERGE_SHA, approvedBy: "admin@test.local" });
  });

  it("says nothing landed while the request waits", async () => {
    const run = await hub.caller.run.byId({ id: "run-waiting" });
    expect(run.outcome).toBe("waiting");
    expect(run.landed).toBeNull();
  });
});
