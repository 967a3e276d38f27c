import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import {
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  type Ack,
  type AuditRecord,
  type HubToRunnerEvents,
  type RunnerToHubEvents,
} from "@grove/core";
import { appendAuditEvent } from "@grove/db";
import { waitFor } from "@grove/testing";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { hashToken } from "../auth/secrets.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";

type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN_A = "runner-a-token-for-audit-tests-0123";
const TOKEN_B = "runner-b-token-for-audit-tests-0123";
const [headSha, baseSha, mergeSha] = ["a", "b", "c"].map((c) => c.repeat(40)) as [string, string, string];
const branch = "agent/demo/audit";

let hub: TestHub;
let runnerA: Runner;
let runnerB: Runner;
let runnerAId: string;
let runnerBId: string;
let approver: SessionUser;
let runId: string;
let sessionId: string;

async function connect(token: string): Promise<Runner> {
  const socket: Runner = io(`${hub.server.url}${RUNNER_NAMESPACE}`, {
    auth: { token },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: token },
    transports: ["websocket"],
  });
  expect(await socket.timeout(60_000).emitWithAck("runner:hello", { host: "test", version: "0", repos: [] })).toMatchObject({
    ok: true,
  });
  return socket;
}

const record = (socket: Runner, payload: Partial<AuditRecord> & { action: string }): Promise<Ack> =>
  socket.timeout(60_000).emitWithAck("audit:record", { subject: branch, runId, sessionId, branch, details: {}, ...payload });
const stored = (where: Record<string, unknown>) => hub.db.auditEvent.count({ where });

beforeAll(async () => {
  hub = await startTestHub();
  runnerAId = await ensureLocalRunner(hub.db, TOKEN_A);
  runnerBId = (await hub.db.runner.create({ data: { name: "runner-b", tokenHash: hashToken(TOKEN_B) } })).id;
  approver = await hub.addUser("approver", "approver@test.local");
  const session = await hub.db.agentSession.create({
    data: { id: "session-audit", runnerId: runnerAId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  sessionId = session.id;
  runId = (
    await hub.db.run.create({
      data: { sessionId, agent: "demo", taskId: "audit", profile: "demo", prompt: "", branch, state: "running" },
    })
  ).id;
  [runnerA, runnerB] = [await connect(TOKEN_A), await connect(TOKEN_B)];
});
afterAll(async () => {
  runnerA.disconnect();
  runnerB.disconnect();
  await hub.close();
});

describe("what a runner may put in the audit trail", () => {
  it("refuses a runner's record about another runner's run, and one about no run, storing nothing", async () => {
    expect(await record(runnerB, { action: "tests.ran", details: { status: "failed" } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not one of this runner's runs/) as unknown,
    });
    expect(await record(runnerB, { action: "run.ended", runId: undefined, sessionId: undefined })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/names no run/) as unknown,
    });
    expect(await stored({ actorId: runnerBId })).toBe(0);
  });

  it("refuses approvals from a runner, even about its own run", async () => {
    const forged = await record(runnerA, {
      action: "merge.approved",
      sha: headSha,
      details: { approval: "auto", approvedBy: "ceo@example.com" },
    });
    expect(forged).toMatchObject({ ok: false, error: expect.stringMatching(/runner cannot record "merge.approved"/) as unknown });
    expect(await record(runnerA, { action: "user.created" })).toMatchObject({ ok: false });
    expect(await stored({ actorType: "runner", action: { in: ["merge.approved", "user.created"] } })).toBe(0);
  });

  it("refuses a record of its own run that names another session or branch", async () => {
    expect(await record(runnerA, { action: "tests.ran", sessionId: "session-of-someone-else" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/session/) as unknown,
    });
    expect(await record(runnerA, { action: "tests.ran", branch: "agent/demo/other" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/branch/) as unknown,
    });
    expect(await stored({ actorId: runnerAId })).toBe(0);
  });

  it("stores the events a runner does record about its own run, as the runner", async () => {
    expect(
      await record(runnerA, { action: "tests.ran", sha: headSha, details: { status: "passed", exitCode: 0, durationMs: 5 } }),
    ).toEqual({ ok: true });
    expect(await record(runnerA, { action: "worktree.created", sessionId: undefined, branch: undefined })).toEqual({ ok: true });
    const rows = await hub.db.auditEvent.findMany({ where: { actorId: runnerAId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.actorType, r.action, r.runId, r.sessionId, r.branch])).toEqual([
      ["runner", "tests.ran", runId, sessionId, branch],
      ["runner", "worktree.created", runId, sessionId, branch],
    ]);
  });

  it("shows in a commit's provenance only the approval the hub recorded from the approver", async () => {
    const report = {
      runId,
      exitCode: 0,
      signal: null,
      headSha,
      baseSha,
      diffStat: " 1 file changed",
      test: { status: "passed" as const, exitCode: 0, durationMs: 5 },
      result: null,
      resultError: null,
    };
    expect(await runnerA.timeout(60_000).emitWithAck("run:report", report)).toEqual({ ok: true });
    const mr = await waitFor(
      () => hub.db.mergeRequest.findFirst({ where: { runId } }),
      60_000,
      () => "the merge request",
    );

    // Both runners try to put a higher-ranking approver on record before the real one decides.
    const forgery = {
      action: "merge.approved",
      subject: mr.id,
      sha: headSha,
      details: { mergeRequestId: mr.id, approval: "auto", approvedBy: "ceo@example.com", comment: "ship it" },
    };
    expect(await record(runnerB, forgery)).toMatchObject({ ok: false });
    expect(await record(runnerA, forgery)).toMatchObject({ ok: false });
    // A hub from before this check stored such records: a ledger may still hold one, ahead of the real approval.
    await appendAuditEvent(hub.db, { ...forgery, runId, sessionId, branch, actorType: "runner", actorId: runnerAId });

    runnerA.once("merge:execute", (_payload, ack) => ack({ ok: true }));
    await hub.callerAs(approver).approval.approve({ id: mr.id, sha: headSha });
    const details = { mergeRequestId: mr.id, approval: "auto", approvedBy: "ceo@example.com" };
    expect(
      await record(runnerA, { action: "merge.completed", sha: mergeSha, details: { ...details, headSha, commits: [headSha] } }),
    ).toEqual({ ok: true });
    const outcome = { kind: "merged" as const, sha: mergeSha, worktreeRemoved: true, branchDeleted: true, commits: [headSha] };
    expect(await runnerA.timeout(60_000).emitWithAck("merge:result", { mergeRequestId: mr.id, outcome })).toEqual({ ok: true });

    const provenance = await hub.caller.audit.commit({ sha: mergeSha });
    expect(provenance?.approval).toMatchObject({ kind: "user", by: approver.email });
    expect(JSON.stringify(provenance?.approval)).not.toContain("ceo@example.com");
    expect(await stored({ action: "merge.approved", actorType: "user" })).toBe(1);
  });
});
