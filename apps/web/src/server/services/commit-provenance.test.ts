import { appendAuditEvent, type Db } from "@grove/db";
import { makeTempDb } from "@grove/db/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitProvenance } from "./commit-provenance.ts";

let db: Db;
let cleanup: () => Promise<void>;
const [agentSha, mergeSha, depositSha] = ["a", "b", "c"].map((c) => c.repeat(40));
const branch = "agent/claude/t-7";

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  // A merge the hub has no merge request row for: only the ledger. A runner's own "approval" (an older
  // hub stored those) comes first and names someone else; only the approval the hub recorded counts.
  const runner = (action: string, sha: string | null, details: Record<string, unknown>) =>
    appendAuditEvent(db, {
      actorType: "runner",
      actorId: "r1",
      action,
      subject: branch,
      sessionId: "session-20260101-0900",
      runId: "run-7",
      branch,
      sha,
      details: { agent: "claude", taskId: "t-7", ...details },
    });
  await runner("tests.ran", agentSha ?? null, { status: "passed", exitCode: 0, durationMs: 1200 });
  await runner("merge.approved", agentSha ?? null, { approval: "auto", approvedBy: "ceo@example.com", reason: "tests passed" });
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: "approver@test.local",
    action: "merge.approved",
    subject: "mr-7",
    sessionId: "session-20260101-0900",
    runId: "run-7",
    branch,
    sha: agentSha ?? null,
    details: { approval: "user", comment: "looks right" },
  });
  await runner("tests.merged_tree", mergeSha ?? null, { status: "passed", exitCode: 0, durationMs: 900, command: "npm test" });
  await runner("merge.completed", mergeSha ?? null, { headSha: agentSha, commits: [agentSha] });
  await runner("brain.deposited", depositSha ?? null, { mergeSha, files: ["project-brain/LEARN-001-x.md"] });
});
afterAll(() => cleanup());

describe("commit provenance from the ledger alone", () => {
  it("answers for the merge commit, the agent's commit and the deposit", async () => {
    const merge = await commitProvenance(db, mergeSha ?? "");
    expect(merge).toMatchObject({
      kind: "merge",
      agent: "claude",
      taskId: "t-7",
      runId: "run-7",
      branch,
      mergeSha,
      tests: { branch: { status: "passed", exitCode: 0 }, mergedTree: { status: "passed", command: "npm test" } },
      approval: { kind: "user", by: "approver@test.local", comment: "looks right" },
    });
    expect(await commitProvenance(db, (agentSha ?? "").slice(0, 10))).toMatchObject({
      kind: "agent",
      sha: (agentSha ?? "").slice(0, 10),
      mergeSha,
      taskId: "t-7",
    });
    expect(await commitProvenance(db, depositSha ?? "")).toMatchObject({
      kind: "deposit",
      mergeSha,
      approval: { by: "approver@test.local" },
    });
    expect(await commitProvenance(db, "d".repeat(40))).toBeNull();
    await expect(commitProvenance(db, "xyz")).rejects.toThrow(/at least 7 hex digits/);
  });

  it("shows no approval where only a runner claimed one", async () => {
    const runnerSha = "e".repeat(40);
    const other = "agent/claude/t-8";
    await appendAuditEvent(db, {
      actorType: "runner",
      actorId: "r1",
      action: "merge.approved",
      subject: other,
      runId: "run-8",
      branch: other,
      sha: "f".repeat(40),
      details: { approval: "auto", approvedBy: "ceo@example.com" },
    });
    await appendAuditEvent(db, {
      actorType: "runner",
      actorId: "r1",
      action: "merge.completed",
      subject: other,
      runId: "run-8",
      branch: other,
      sha: runnerSha,
      details: { agent: "claude", taskId: "t-8" },
    });
    expect(await commitProvenance(db, runnerSha)).toMatchObject({ kind: "merge", runId: "run-8", approval: null });
  });
});
