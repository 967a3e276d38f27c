import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@grove/db";
import { makeTempDb } from "@grove/db/test-support";
import { APPROVAL_LIST_BYTES, listApprovals } from "./approvals.ts";

let db: Db;
let cleanup: () => Promise<void>;

// What an agent can make a run carry: a RESULT near the runner's 1 MiB cap, a long diff stat, a long prompt.
const bigResult = JSON.stringify({ summary: "s".repeat(10_000), learnings: [], notes: "n".repeat(1_000_000) });

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  const runner = await db.runner.create({ data: { name: "r", tokenHash: "approvals-test" } });
  await db.agentSession.create({
    data: { id: "session-approvals", runnerId: runner.id, repoPath: "/tmp/x", integration: "main", createdBy: "t" },
  });
  for (let i = 0; i < 60; i++) {
    const run = await db.run.create({
      data: {
        sessionId: "session-approvals",
        agent: "demo",
        taskId: `t${i}`,
        profile: "demo",
        prompt: "p".repeat(100_000),
        branch: `agent/demo/t${i}`,
        state: "succeeded",
        diffStat: `${" file | 1 +\n".repeat(7_000)} ${i} files changed`,
        result: bigResult,
      },
    });
    await db.mergeRequest.create({
      data: { runId: run.id, branch: run.branch, integration: "main", headSha: "a".repeat(40), state: "open" },
    });
  }
});
afterAll(() => cleanup());

describe("the approvals list", () => {
  it("stops once its JSON passes the byte bound, oldest first, each row once", async () => {
    const views = await listApprovals(db, "waiting");
    expect(views.length).toBeGreaterThan(1);
    expect(views.length).toBeLessThan(60);
    const sizes = views.map((v) => Buffer.byteLength(JSON.stringify(v)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(APPROVAL_LIST_BYTES);
    expect(views.map((v) => v.branch)).toEqual(views.map((_, i) => `agent/demo/t${i}`));
  });

  it("holds every row when they are small", async () => {
    await db.run.updateMany({ data: { prompt: "go", diffStat: " 1 file changed", result: null } });
    const views = await listApprovals(db, "waiting");
    expect(views.map((v) => v.branch)).toEqual(Array.from({ length: 60 }, (_, i) => `agent/demo/t${i}`));
  });

  it("lists a failed merge nobody retried, sent back or abandoned as waiting for a person, an abandoned one not", async () => {
    await db.mergeRequest.updateMany({ where: { branch: "agent/demo/t0" }, data: { state: "failed", error: "Merge conflict" } });
    await db.mergeRequest.updateMany({
      where: { branch: "agent/demo/t1" },
      data: { state: "failed", error: "Merge conflict", snapshotRef: "refs/grove/archive/x" },
    });
    const waiting = (await listApprovals(db, "waiting")).map((v) => v.branch);
    expect(waiting).toContain("agent/demo/t0");
    expect(waiting).not.toContain("agent/demo/t1");
    expect((await listApprovals(db, "decided")).map((v) => v.branch).sort()).toEqual(["agent/demo/t0", "agent/demo/t1"]);
  });
});
