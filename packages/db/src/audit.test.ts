import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent, listAuditEvents, verifyAuditChain } from "./audit.ts";
import type { Db } from "./client.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

describe("audit ledger", () => {
  it("chains concurrent appends and verifies them", async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        appendAuditEvent(db, { actorType: "runner", actorId: "r1", action: "worktree.created", subject: `t${i}`, branch: `agent/demo/t${i}` }),
      ),
    );
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: 25 });
    const forBranch = await listAuditEvents(db, { branch: "agent/demo/t3" });
    expect(forBranch).toHaveLength(1);
    expect(forBranch[0]?.subject).toBe("t3");
  });

  it("detects an edited event", async () => {
    const victim = await appendAuditEvent(db, { actorType: "user", actorId: "u1", action: "merge.approved", subject: "mr1" });
    await appendAuditEvent(db, { actorType: "system", actorId: "hub", action: "merge.queued", subject: "mr1" });
    await db.auditEvent.update({ where: { id: victim.id }, data: { actorId: "someone-else" } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtId: victim.id });
    await db.auditEvent.update({ where: { id: victim.id }, data: { actorId: "u1" } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("detects a deleted event", async () => {
    const victim = await appendAuditEvent(db, { actorType: "user", actorId: "u1", action: "merge.rejected", subject: "mr2" });
    const after = await appendAuditEvent(db, { actorType: "system", actorId: "hub", action: "noop", subject: "x" });
    await db.auditEvent.delete({ where: { id: victim.id } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtId: after.id });
  });
});
