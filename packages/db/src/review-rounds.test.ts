import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "./audit.ts";
import type { Db } from "./client.ts";
import { applyMergeRequestEvent, createMergeRequest } from "./merge-requests.ts";
import { createRoundRun, createRoundRunIn, type PreviousRound } from "./review-rounds.ts";
import { makeTempDb } from "./test-support/temp-db.ts";
import { seedRun } from "./test-support/seed-run.ts";

let db: Db;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

const HEAD = "d".repeat(40);

async function previousOf(runId: string): Promise<PreviousRound> {
  const run = await db.run.update({ where: { id: runId }, data: { state: "failed", headSha: HEAD } });
  return run;
}

async function openRequest(runId: string, branch: string) {
  const mr = await createMergeRequest(db, {
    data: { runId, branch, integration: "main", headSha: HEAD },
    isBlocked: false,
    audit: (_action, id) => ({ actorType: "system", actorId: "hub", subject: id }),
  });
  if (!mr) throw new Error("no merge request opened");
  return mr;
}

describe("review rounds in the database", () => {
  it("numbers the next round after the latest, links it, and refuses a second round from the same one", async () => {
    const { runId } = await seedRun(db);
    const previous = await previousOf(runId);
    const second = await createRoundRun(db, {
      previous,
      prompt: "round two",
      reason: "rerun",
      start: "continue",
      bringIntegration: false,
      actor: "a@test.local",
    });
    expect(second.round).toBe(2);
    expect(await db.run.findUniqueOrThrow({ where: { id: second.runId } })).toMatchObject({
      state: "queued",
      round: 2,
      previousRunId: runId,
      branch: previous.branch,
      roundReason: "rerun",
    });
    await expect(
      createRoundRun(db, {
        previous,
        prompt: "again",
        reason: "rerun",
        start: "fresh",
        bringIntegration: false,
        actor: "a@test.local",
      }),
    ).rejects.toThrow(/already has round 2/);
    expect(await db.run.count({ where: { taskId: previous.taskId } })).toBe(2);
    const started = await db.auditEvent.findFirstOrThrow({ where: { action: "round.started", runId: second.runId } });
    expect(JSON.parse(started.details)).toMatchObject({
      round: 2,
      previousRunId: runId,
      reason: "rerun",
      taskId: previous.taskId,
    });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("requests changes, stores the comments and starts the round in one transaction, or writes nothing", async () => {
    const { runId } = await seedRun(db);
    const previous = await previousOf(runId);
    const mr = await openRequest(runId, previous.branch);
    const request = (from: "open" | "changes_requested") =>
      applyMergeRequestEvent(db, {
        id: mr.id,
        from,
        event: "request_changes",
        guard: { headSha: HEAD },
        audit: () => ({ actorType: "user", actorId: "a@test.local", subject: mr.id }),
        andThen: async (tx) =>
          (
            await createRoundRunIn(tx, {
              previous,
              prompt: "fix it",
              reason: "changes-requested",
              start: "continue",
              bringIntegration: false,
              actor: "a@test.local",
              comments: [{ body: "rename", file: "a.ts", line: 3 }],
              mergeRequestId: mr.id,
            })
          ).audit,
      });
    expect(await request("open")).toMatchObject({ kind: "applied", state: "changes_requested" });
    expect(await db.reviewComment.findMany({ where: { runId } })).toMatchObject([{ body: "rename", file: "a.ts", line: 3 }]);
    const actions = (await db.auditEvent.findMany({ where: { branch: previous.branch }, orderBy: { id: "asc" } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(["review.commented", "round.started"]);

    // Read as open a moment ago, changes_requested now: the compare-and-swap loses and nothing more is written.
    expect(await request("open")).toEqual({ kind: "lost" });
    expect(await db.run.count({ where: { taskId: previous.taskId } })).toBe(2);
    expect(await db.reviewComment.count({ where: { runId } })).toBe(1);
  });

  it("leaves the request waiting when the round cannot be created (the task moved on to a later round)", async () => {
    const { runId } = await seedRun(db);
    const previous = await previousOf(runId);
    const round = {
      previous,
      prompt: "p",
      reason: "rerun",
      start: "continue",
      bringIntegration: false,
      actor: "a@test.local",
    } as const;
    await createRoundRun(db, round);
    const mr = await openRequest(runId, previous.branch);
    const before = await db.auditEvent.count();
    await expect(
      applyMergeRequestEvent(db, {
        id: mr.id,
        from: "open",
        event: "request_changes",
        audit: () => ({ actorType: "user", actorId: "a@test.local", subject: mr.id }),
        andThen: async (tx) => (await createRoundRunIn(tx, { ...round, comments: [{ body: "x" }], mergeRequestId: mr.id })).audit,
      }),
    ).rejects.toThrow(/already has round 2/);
    expect((await db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).state).toBe("open");
    expect(await db.reviewComment.count({ where: { runId } })).toBe(0);
    expect(await db.auditEvent.count()).toBe(before);
  });
});
