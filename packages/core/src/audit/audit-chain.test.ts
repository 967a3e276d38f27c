import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AUDIT_GENESIS_HASH, canonicalAuditEvent, createChainVerifier, type HashedAuditFields } from "./audit-chain.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function chain(n: number) {
  const events: (HashedAuditFields & { id: number; hash: string })[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const fields: HashedAuditFields = {
      prevHash,
      ts: id,
      actorType: "user",
      actorId: "u",
      action: "a",
      subject: `s${id}`,
      sessionId: null,
      runId: null,
      branch: null,
      sha: null,
      details: "{}",
    };
    const hash = sha256(canonicalAuditEvent(fields));
    events.push({ ...fields, id, hash });
    prevHash = hash;
  }
  return events;
}

function verify(events: ReturnType<typeof chain>) {
  const verifier = createChainVerifier(sha256);
  for (const event of events) {
    const broken = verifier.push(event);
    if (broken) return broken;
  }
  return verifier.verdict();
}

describe("audit chain verification", () => {
  it("accepts an intact chain and reports its head", () => {
    const events = chain(3);
    expect(verify(events)).toEqual({ ok: true, count: 3, headHash: events[2]?.hash });
  });
  it("catches an edit, a deletion and a reordering", () => {
    const edited = chain(3).map((e) => (e.id === 2 ? { ...e, subject: "forged" } : e));
    const editVerdict = verify(edited);
    expect(editVerdict).toMatchObject({ ok: false, brokenAtId: 2 });
    expect(editVerdict.ok ? "" : editVerdict.reason).toMatch(/edited/);
    const deleteVerdict = verify(chain(3).filter((e) => e.id !== 2));
    expect(deleteVerdict).toMatchObject({ ok: false, brokenAtId: 3 });
    expect(deleteVerdict.ok ? "" : deleteVerdict.reason).toMatch(/deleted/);
    const [a, b, c] = chain(3);
    expect(verify([a, c, b].filter((e) => e !== undefined))).toMatchObject({ ok: false, brokenAtId: 3 });
  });
});
