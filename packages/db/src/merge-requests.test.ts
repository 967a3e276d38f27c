import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MergeRequestAuditAction } from "@grove/core";
import { verifyAuditChain } from "./audit.ts";
import type { Db } from "./client.ts";
import { applyMergeRequestEvent, createMergeRequest } from "./merge-requests.ts";
import { makeTempDb } from "./test-support/temp-db.ts";
import { seedRun } from "./test-support/seed-run.ts";

let db: Db;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

const HEAD = "a".repeat(40);
const audit = (id: string) => (action: MergeRequestAuditAction) => ({
  actorType: "system" as const,
  actorId: "hub",
  subject: id,
  details: { action },
});

async function openRequest(isBlocked = false) {
  const run = await seedRun(db);
  const mr = await createMergeRequest(db, {
    data: { runId: run.runId, branch: run.branch, integration: "main", headSha: HEAD },
    isBlocked,
    audit: (action, id) => audit(id)(action),
  });
  if (!mr) throw new Error("not created");
  return mr;
}

const actionsOf = async (subject: string) =>
  (await db.auditEvent.findMany({ where: { subject }, orderBy: { id: "asc" } })).map((e) => e.action);
const stateOf = async (id: string) => (await db.mergeRequest.findUniqueOrThrow({ where: { id } })).state;

describe("merge request repository", () => {
  it("opens a request once per head, blocked with both facts when the policy refuses it", async () => {
    const mr = await openRequest(true);
    expect(mr.state).toBe("blocked");
    expect(await actionsOf(mr.id)).toEqual(["merge.opened", "merge.blocked"]);
    const again = await createMergeRequest(db, {
      data: { runId: mr.runId, branch: mr.branch, integration: "main", headSha: HEAD },
      isBlocked: false,
      audit: (action, id) => audit(id)(action),
    });
    expect(again).toBeNull();
    expect(await db.mergeRequest.count({ where: { runId: mr.runId } })).toBe(1);
  });

  it("stores one request per run head in the database itself, whichever instance's check ran first", async () => {
    const mr = await openRequest();
    // What a second instance's insert does when its check ran before the first one's insert committed.
    const second = db.mergeRequest.create({
      data: { runId: mr.runId, branch: mr.branch, integration: "main", headSha: HEAD, state: "pending" },
    });
    await expect(second).rejects.toMatchObject({ code: "P2002" });
    expect(await db.mergeRequest.count({ where: { runId: mr.runId } })).toBe(1);
  });

  it("applies a step with its audit event and data in one go", async () => {
    const mr = await openRequest();
    const step = await applyMergeRequestEvent(db, {
      id: mr.id,
      from: "open",
      event: "approve",
      guard: { headSha: HEAD },
      data: { approvedSha: HEAD, approval: "user" },
      audit: audit(mr.id),
    });
    expect(step).toMatchObject({ kind: "applied", state: "approved" });
    expect(await db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).toMatchObject({
      state: "approved",
      approvedSha: HEAD,
      approval: "user",
    });
    expect(await actionsOf(mr.id)).toEqual(["merge.opened", "merge.approved"]);
  });

  it("writes nothing, not even its audit event, when the compare-and-swap loses the race", async () => {
    const mr = await openRequest();
    // Another writer decides first: the request this caller read as open is rejected now.
    expect(
      await applyMergeRequestEvent(db, {
        id: mr.id,
        from: "open",
        event: "reject",
        data: { comment: "no" },
        audit: audit(mr.id),
      }),
    ).toMatchObject({ kind: "applied" });
    const late = await applyMergeRequestEvent(db, {
      id: mr.id,
      from: "open",
      event: "approve",
      data: { approvedSha: HEAD, comment: "yes" },
      audit: audit(mr.id),
    });
    expect(late).toEqual({ kind: "lost" });
    expect(await db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).toMatchObject({
      state: "rejected",
      approvedSha: null,
      comment: "no",
    });
    expect(await actionsOf(mr.id)).toEqual(["merge.opened", "merge.rejected"]);
  });

  it("loses when the guard no longer matches (the head moved under an approval)", async () => {
    const mr = await openRequest();
    const step = await applyMergeRequestEvent(db, {
      id: mr.id,
      from: "open",
      event: "approve",
      guard: { headSha: "b".repeat(40) },
      audit: audit(mr.id),
    });
    expect(step).toEqual({ kind: "lost" });
    expect(await stateOf(mr.id)).toBe("open");
    expect(await actionsOf(mr.id)).toEqual(["merge.opened"]);
  });

  it("writes nothing for a step core refuses, nor what it would have done alongside", async () => {
    const mr = await openRequest(true);
    let alsoRan = false;
    const step = await applyMergeRequestEvent(db, {
      id: mr.id,
      from: "blocked",
      event: "approve",
      data: { approvedSha: HEAD },
      audit: audit(mr.id),
      alsoIn: () => {
        alsoRan = true;
        return Promise.resolve();
      },
    });
    expect(step).toEqual({ kind: "refused", code: "FORBIDDEN", reason: "This merge request is blocked." });
    expect(alsoRan).toBe(false);
    expect(await db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).toMatchObject({
      state: "blocked",
      approvedSha: null,
    });
    expect(await actionsOf(mr.id)).toEqual(["merge.opened", "merge.blocked"]);
  });

  it("rolls the step back with its audit event when the work alongside it fails", async () => {
    const mr = await openRequest();
    const failing = applyMergeRequestEvent(db, {
      id: mr.id,
      from: "open",
      event: "merge_failed",
      audit: audit(mr.id),
      alsoIn: () => Promise.reject(new Error("provenance write failed")),
    });
    await expect(failing).rejects.toThrow("provenance write failed");
    expect(await stateOf(mr.id)).toBe("open");
    expect(await actionsOf(mr.id)).toEqual(["merge.opened"]);
  });

  it("keeps the audit chain valid through concurrent steps, only one of two racing decisions winning", async () => {
    const requests = await Promise.all(Array.from({ length: 6 }, () => openRequest()));
    const steps = await Promise.all(
      requests.flatMap((mr) => [
        applyMergeRequestEvent(db, { id: mr.id, from: "open", event: "approve", audit: audit(mr.id) }),
        applyMergeRequestEvent(db, { id: mr.id, from: "open", event: "reject", audit: audit(mr.id) }),
      ]),
    );
    expect(steps.filter((s) => s.kind === "applied")).toHaveLength(6);
    expect(steps.filter((s) => s.kind === "lost")).toHaveLength(6);
    for (const mr of requests) expect(await actionsOf(mr.id)).toHaveLength(2);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
