import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@grove/db";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

// Review rounds on the real stack: hub, SQLite, git repo and the real runner with the demo agent.
let stack: TestStack;
let redDir: string;
let red: string;

beforeAll(async () => {
  redDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-red-")));
  red = path.join(redDir, "red");
  // The tests fail while the red file exists: a merged tree can be made red, then green again.
  const test = `"${process.execPath}" -e "process.exit(require('fs').existsSync('${red}') ? 1 : 0)"`;
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": JSON.stringify({ test }) } });
});
afterAll(async () => {
  await stack.close();
  await rm(redDir, { recursive: true, force: true });
});

const start = (taskId: string, prompt: string) => stack.caller.session.start({ tasks: [{ agent: "demo", taskId, prompt }] });
const requestOf = (taskId: string, state: string, round = 1) =>
  waitFor(
    () =>
      stack.db.mergeRequest.findFirst({
        where: { branch: `agent/demo/${taskId}`, state, run: { round } },
        include: { run: true },
      }),
    60_000,
    () => `round ${round} request of ${taskId} in state ${state}\n${stack.runnerOutput()}`,
  );
const runOf = (taskId: string, round: number) =>
  stack.db.run.findFirstOrThrow({ where: { taskId, round }, include: { reviewComments: true } });
const auditOf = (action: string, runId: string) =>
  stack.db.auditEvent.findFirstOrThrow({ where: { action, runId }, orderBy: { id: "desc" } });

describe("review rounds on the real stack", () => {
  it("requests changes with a line comment: the request waits for round 2, whose prompt carries the comment and resumes the conversation", async () => {
    await start("polish", "lines=1 add a greeting");
    await requestOf("polish", "open");
    // Line comments are checked against the head's diff, which the runner sends after the request opens.
    const mr = await waitFor(
      () => stack.db.mergeRequest.findFirst({ where: { branch: "agent/demo/polish", state: "open", diff: { not: null } } }),
      60_000,
      () => `the diff of polish\n${stack.runnerOutput()}`,
    );
    // The conversation the runner reported for round 1 (the demo agent has none of its own).
    await stack.db.run.update({ where: { id: mr.runId }, data: { agentSessionId: "conv-1234" } });

    const round = await stack.caller.merge.requestChanges({
      mergeRequestId: mr.id,
      headSha: mr.headSha,
      comment: "say hello in French too",
      lineComments: [{ file: "notes/polish.md", line: 5, body: "quote the task exactly" }],
    });
    expect(round.round).toBe(2);
    expect((await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).state).toBe("changes_requested");

    const second = await runOf("polish", 2);
    expect(second).toMatchObject({
      id: round.runId,
      previousRunId: mr.runId,
      branch: mr.branch,
      roundReason: "changes-requested",
    });
    expect(second.prompt).toContain("Round 2 of task polish");
    expect(second.prompt).toContain("- (general):\n    say hello in French too");
    expect(second.prompt).toContain("- notes/polish.md:5:\n    quote the task exactly");
    const comments = await stack.db.reviewComment.findMany({ where: { runId: mr.runId }, orderBy: { createdAt: "asc" } });
    expect(comments.map((c) => [c.file, c.line, c.body, c.forRunId, c.headSha])).toEqual([
      [null, null, "say hello in French too", round.runId, mr.headSha],
      ["notes/polish.md", 5, "quote the task exactly", round.runId, mr.headSha],
    ]);

    const started = await auditOf("round.started", round.runId);
    expect(JSON.parse(started.details)).toMatchObject({
      taskId: "polish",
      round: 2,
      previousRunId: mr.runId,
      reason: "changes-requested",
      resumeSessionId: "conv-1234",
      bringIntegration: false,
    });
    expect(await stack.db.auditEvent.count({ where: { action: "review.commented", runId: mr.runId } })).toBe(2);
    expect(await stack.db.auditEvent.count({ where: { action: "merge.changes-requested", subject: mr.id } })).toBe(1);

    // The same head cannot be sent back twice, and nothing more is written.
    await expect(
      stack.caller.merge.requestChanges({ mergeRequestId: mr.id, headSha: mr.headSha, comment: "again", lineComments: [] }),
    ).rejects.toThrow(/changes_requested/);
    expect(await stack.db.run.count({ where: { taskId: "polish" } })).toBe(2);
    expect((await verifyAuditChain(stack.db)).ok).toBe(true);
  });

  it("round 2's new head gets a request of its own, and the old one is superseded", async () => {
    const second = await runOf("polish", 2);
    const mr2 = await requestOf("polish", "open", 2);
    expect(mr2.runId).toBe(second.id);
    // The hub supersedes round 1's request in a step after it opened round 2's: wait for it, not for timing.
    const old = await waitFor(() =>
      stack.db.mergeRequest.findFirst({ where: { branch: "agent/demo/polish", run: { round: 1 }, state: "superseded" } }),
    );
    expect(mr2.headSha).not.toBe(old.headSha);
    const superseded = await stack.db.auditEvent.findFirstOrThrow({ where: { action: "merge.superseded", subject: old.id } });
    expect(JSON.parse(superseded.details)).toMatchObject({ by: mr2.id, byRunId: second.id, round: 1, byRound: 2 });
    await stack.caller.merge.approve({ id: mr2.id, sha: mr2.headSha });
    await requestOf("polish", "merged", 2);
    expect((await verifyAuditChain(stack.db)).ok).toBe(true);
  });

  it("refuses changes on a head that moved since the page was loaded, writing nothing", async () => {
    await start("stale", "lines=1");
    const mr = await requestOf("stale", "open");
    await expect(
      stack.caller.merge.requestChanges({ mergeRequestId: mr.id, headSha: "f".repeat(40), comment: "x", lineComments: [] }),
    ).rejects.toThrow(/moved since this page was loaded/);
    await expect(
      stack.caller.merge.requestChanges({ mergeRequestId: mr.id, headSha: mr.headSha, comment: "  ", lineComments: [] }),
    ).rejects.toThrow(/Say what to change/);
    expect((await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).state).toBe("open");
    expect(await stack.db.run.count({ where: { taskId: "stale" } })).toBe(1);
  });

  it("refuses a viewer every review-round decision", async () => {
    const viewer = stack.callerAs(await stack.addUser("viewer"));
    const mr = await requestOf("stale", "open");
    await expect(
      viewer.merge.requestChanges({ mergeRequestId: mr.id, headSha: mr.headSha, comment: "x", lineComments: [] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.approval.sendBack({ mergeRequestId: mr.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.merge.retry({ mergeRequestId: mr.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.run.rerun({ id: mr.runId, start: "continue" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: mr.id } })).state).toBe("open");
  });

  it("sends a conflicting merge back: round 2 brings the integration branch in, told the files and the integration head", async () => {
    await start("left", "conflict lines=1");
    await start("right", "conflict lines=1");
    const left = await requestOf("left", "open");
    const right = await requestOf("right", "open");
    await stack.caller.merge.approve({ id: left.id, sha: left.headSha });
    await requestOf("left", "merged");
    await stack.caller.merge.approve({ id: right.id, sha: right.headSha });
    const failed = await requestOf("right", "failed");
    expect(failed.error).toMatch(/^Merge conflict in shared\.txt/);

    const round = await stack.caller.merge.sendBack({ mergeRequestId: failed.id });
    expect((await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: failed.id } })).state).toBe("changes_requested");
    const second = await runOf("right", 2);
    expect(second.prompt).toContain("it conflicts in\n- shared.txt");
    expect(second.prompt).toContain("main has been merged into your branch");
    expect(JSON.parse((await auditOf("round.started", round.runId)).details)).toMatchObject({
      round: 2,
      reason: "sent-back",
      bringIntegration: true,
      previousRunId: failed.runId,
    });
    expect(await stack.db.auditEvent.count({ where: { action: "merge.sent-back", subject: failed.id } })).toBe(1);

    // With the integration branch brought in and the conflict resolved, round 2 lands.
    const mr2 = await requestOf("right", "open", 2);
    await stack.caller.merge.approve({ id: mr2.id, sha: mr2.headSha });
    await requestOf("right", "merged", 2);
    expect((await verifyAuditChain(stack.db)).ok).toBe(true);
  });

  it("re-runs a failed round on the same branch, and refuses to re-run a succeeded one", async () => {
    const started = await start("flaky", "lines=1 fail");
    const first = await waitFor(
      async () => {
        const run = await stack.db.run.findFirst({ where: { sessionId: started.id, state: "failed" } });
        return run ?? null;
      },
      60_000,
      () => `the failed run\n${stack.runnerOutput()}`,
    );
    const round = await stack.caller.run.rerun({ id: first.id, start: "continue" });
    const second = await runOf("flaky", 2);
    expect(second).toMatchObject({
      id: round.runId,
      round: 2,
      previousRunId: first.id,
      roundReason: "rerun",
      branch: first.branch,
    });
    expect(second.prompt).toContain("The previous round ended failed");
    await expect(stack.caller.run.rerun({ id: first.id, start: "fresh" })).rejects.toThrow(/already has round 2/);

    const succeeded = await stack.db.run.findFirstOrThrow({ where: { taskId: "stale", state: "succeeded" } });
    await expect(stack.caller.run.rerun({ id: succeeded.id, start: "continue" })).rejects.toThrow(
      /only a run that ended failed, with no changes/,
    );
  });

  it("retries a merge whose merged tree was red, pinned to the approved head, once the cause is gone", async () => {
    await start("retry", "lines=1");
    const mr = await requestOf("retry", "open");
    await writeFile(red, "red");
    await stack.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    const failed = await requestOf("retry", "failed");
    expect(failed.candidateSha).toBeTruthy();
    await rm(red);

    await stack.caller.approval.retry({ mergeRequestId: mr.id });
    const merged = await requestOf("retry", "merged");
    expect(merged.approvedSha).toBe(mr.headSha);
    const retried = await stack.db.auditEvent.findFirstOrThrow({ where: { action: "merge.retried", subject: mr.id } });
    expect(retried.sha).toBe(mr.headSha);
    await expect(stack.caller.merge.retry({ mergeRequestId: mr.id })).rejects.toThrow(/only a failed merge can be retried/);
    expect((await verifyAuditChain(stack.db)).ok).toBe(true);
  });
});
