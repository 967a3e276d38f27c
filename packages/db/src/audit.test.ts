import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCsvHeader, auditCsvRow, auditJsonLine, createChainVerifier, parseAuditJsonLine } from "@grove/core";
import { sha256Hex } from "@grove/core/node";
import { appendAuditEvent, verifyAuditChain } from "./audit.ts";
import { iterateAuditEvents, listAuditEvents, listAuditPage } from "./audit-query.ts";
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
        appendAuditEvent(db, {
          actorType: "runner",
          actorId: "r1",
          action: "worktree.created",
          subject: `t${i}`,
          branch: `agent/demo/t${i}`,
        }),
      ),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 25 });
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

  it("detects a reordered pair of events", async () => {
    const temp = await makeTempDb();
    const db = temp.db;
    const a = await appendAuditEvent(db, { actorType: "user", actorId: "u1", action: "x", subject: "a" });
    const b = await appendAuditEvent(db, { actorType: "user", actorId: "u1", action: "x", subject: "b" });
    const swap = (row: typeof a) => ({
      ts: BigInt(row.ts),
      actorType: row.actorType,
      actorId: row.actorId,
      action: row.action,
      subject: row.subject,
      details: JSON.stringify(row.details),
      prevHash: row.prevHash,
      hash: `${row.hash}-tmp`,
    });
    // Swap the two rows' contents (hashes stay unique on the way).
    await db.auditEvent.update({ where: { id: a.id }, data: swap(b) });
    await db.auditEvent.update({ where: { id: b.id }, data: { ...swap(a), hash: a.hash } });
    await db.auditEvent.update({ where: { id: a.id }, data: { hash: b.hash } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtId: a.id });
    await temp.cleanup();
  });
});

describe("audit queries and exports", () => {
  let fresh: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db: fresh, cleanup: done } = await makeTempDb());
    const at = Date.UTC(2026, 0, 1);
    await appendAuditEvent(fresh, {
      actorType: "runner",
      actorId: "r1",
      action: "worktree.created",
      subject: "agent/claude/t1",
      branch: "agent/claude/t1",
      sessionId: "s1",
      ts: at,
    });
    await appendAuditEvent(fresh, {
      actorType: "user",
      actorId: "ana@x",
      action: "merge.approved",
      subject: "mr1",
      branch: "agent/claude/t1",
      sessionId: "s1",
      sha: "a".repeat(40),
      ts: at + 1000,
      details: { comment: 'says "ok", =1+1' },
    });
    await appendAuditEvent(fresh, {
      actorType: "runner",
      actorId: "r1",
      action: "merge.completed",
      subject: "agent/codex/t2",
      branch: "agent/codex/t2",
      sessionId: "s2",
      sha: "b".repeat(40),
      ts: at + 2000,
    });
  });
  afterAll(() => done());

  it("filters by session, agent, actor, action family, sha and time", async () => {
    const subjects = async (filter: Parameters<typeof listAuditEvents>[1]) =>
      (await listAuditEvents(fresh, filter)).map((e) => e.subject);
    expect(await subjects({ sessionId: "s1" })).toEqual(["mr1", "agent/claude/t1"]);
    expect(await subjects({ agent: "codex" })).toEqual(["agent/codex/t2"]);
    expect(await subjects({ actorType: "user" })).toEqual(["mr1"]);
    expect(await subjects({ action: "merge." })).toEqual(["agent/codex/t2", "mr1"]);
    expect(await subjects({ sha: "b".repeat(40) })).toEqual(["agent/codex/t2"]);
    expect(await subjects({ since: Date.UTC(2026, 0, 1) + 500, until: Date.UTC(2026, 0, 1) + 1500 })).toEqual(["mr1"]);
    expect(await subjects({ beforeId: 3, limit: 1 })).toEqual(["mr1"]);
  });

  it("exports JSONL that verifies offline and CSV a spreadsheet cannot execute", async () => {
    const entries = [];
    for await (const entry of iterateAuditEvents(fresh)) entries.push(entry);
    const jsonl = entries.map(auditJsonLine).join("");
    const verifier = createChainVerifier(sha256Hex);
    for (const line of jsonl.trim().split("\n")) expect(verifier.push(parseAuditJsonLine(line))).toBeNull();
    expect(verifier.verdict()).toEqual({ ok: true, count: 3, headHash: entries.at(-1)?.hash });

    const csv = auditCsvHeader() + entries.map(auditCsvRow).join("");
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("id,time,ts,actorType,actorId,action,subject,sessionId,runId,branch,sha,details,prevHash,hash");
    expect(lines[2]).toContain('"{""comment"":""says \\""ok\\"", =1+1""}"');
    expect(lines[1]?.startsWith("1,2026-01-01T00:00:00.000Z,")).toBe(true);
  });
});

describe("a page of the ledger", () => {
  it("is bounded in bytes as well as events, and paging returns every event once, newest first", async () => {
    const { db: paged, cleanup: done } = await makeTempDb();
    try {
      for (let i = 1; i <= 120; i++) {
        await appendAuditEvent(paged, {
          actorType: "runner",
          actorId: "r1",
          action: "run.note",
          subject: `e${i}`,
          details: { note: "d".repeat(i % 10 === 0 ? 300_000 : 20_000) },
        });
      }
      const maxBytes = 256 * 1024;
      const seen: string[] = [];
      let beforeId: number | undefined;
      for (;;) {
        const page = await listAuditPage(paged, { limit: 1000, beforeId }, maxBytes);
        expect(page.events.length).toBeGreaterThan(0);
        if (page.events.length > 1)
          expect(page.events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0)).toBeLessThanOrEqual(maxBytes);
        seen.push(...page.events.map((e) => e.subject));
        if (page.nextBeforeId === null) break;
        beforeId = page.nextBeforeId;
      }
      expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `e${120 - i}`));
      expect(await listAuditPage(paged, { limit: 3 }, maxBytes)).toMatchObject({
        events: [{ subject: "e120" }],
        nextBeforeId: 120,
      });
      expect((await listAuditPage(paged, { limit: 2, beforeId: 100 }, maxBytes)).events.map((e) => e.subject)).toEqual([
        "e99",
        "e98",
      ]);
      expect(await listAuditPage(paged, { beforeId: 2 }, maxBytes)).toMatchObject({
        events: [{ subject: "e1" }],
        nextBeforeId: null,
      });
    } finally {
      await done();
    }
  });
});
