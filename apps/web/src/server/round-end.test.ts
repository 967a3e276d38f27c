import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@grove/db";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

// A round that ends without a request of its own, on the real stack (hub, SQLite, git, runner, demo agent).
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

const requestOf = (taskId: string, state: string) =>
  waitFor(
    () => stack.db.mergeRequest.findFirst({ where: { branch: `agent/demo/${taskId}`, state }, include: { run: true } }),
    60_000,
    () => `request of ${taskId} in state ${state}\n${stack.runnerOutput()}`,
  );
const endedRound = (taskId: string, round: number) =>
  waitFor(
    () => stack.db.run.findFirst({ where: { taskId, round, endedAt: { not: null } } }),
    60_000,
    () => `round ${round} of ${taskId} ended\n${stack.runnerOutput()}`,
  );

/** Round 1 opens a request; changes are requested with `comment`, whose words the demo agent obeys in round 2. */
async function requestChangesThenEnd(taskId: string, comment: string) {
  await stack.caller.session.start({ tasks: [{ agent: "demo", taskId, prompt: "lines=1 add a greeting" }] });
  const mr = await requestOf(taskId, "open");
  await stack.caller.merge.requestChanges({ mergeRequestId: mr.id, headSha: mr.headSha, comment, lineComments: [] });
  return { mr, second: await endedRound(taskId, 2) };
}

describe("a review round that ends without a new head", () => {
  it("opens the earlier request again, audited with the round's outcome, and it can be approved and land", async () => {
    // no-commit: round 2 edits files but commits nothing, so the branch still holds round 1's head.
    const { mr, second } = await requestChangesThenEnd("idle", "no-commit");
    expect(second.state).not.toBe("succeeded");
    expect(await stack.db.mergeRequest.count({ where: { runId: second.id } })).toBe(0);
    const reopened = await requestOf("idle", "open");
    expect(reopened).toMatchObject({ id: mr.id, headSha: mr.headSha, decidedBy: null });
    const audit = await stack.db.auditEvent.findFirstOrThrow({ where: { action: "merge.reopened", subject: mr.id } });
    expect(JSON.parse(audit.details)).toMatchObject({ round: 1, byRound: 2, byRunId: second.id, outcome: second.state });

    await stack.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    await requestOf("idle", "merged");
    // Round 1's head is on main now (git exits non-zero, and this throws, if it is not).
    await stack.repo.git(["merge-base", "--is-ancestor", mr.headSha, "main"]);
    expect((await verifyAuditChain(stack.db)).ok).toBe(true);
  });

  it("voids the earlier request when the round left the branch at another head, saying where", async () => {
    // fail: round 2 commits, then exits 1: the branch moved past round 1's head, and no request opens.
    const { mr, second } = await requestChangesThenEnd("moved", "fail");
    expect(second.state).toBe("failed");
    expect(second.headSha).not.toBe(mr.headSha);
    const voided = await requestOf("moved", "void");
    expect(voided.id).toBe(mr.id);
    expect(voided.error).toContain(`Round 2 ended failed and left the branch at ${second.headSha?.slice(0, 12)}`);
    const audit = await stack.db.auditEvent.findFirstOrThrow({ where: { action: "merge.void", subject: mr.id } });
    expect(JSON.parse(audit.details)).toMatchObject({ byRound: 2, outcome: "failed", movedTo: second.headSha });
    await expect(stack.caller.merge.approve({ id: mr.id, sha: mr.headSha })).rejects.toThrow(/void/);
  });

  it("lets Health clean up a branch whose request waits for a round that has ended", async () => {
    // A request left sent back by a round that ended before grove settled such requests.
    const mr = await requestOf("moved", "void");
    await stack.db.mergeRequest.update({ where: { id: mr.id }, data: { state: "changes_requested" } });
    const [repo] = await stack.caller.health.list();
    const answer = await stack.caller.health.cleanup({
      runnerId: stack.runnerId,
      repoPath: repo?.path ?? "",
      branches: ["agent/demo/moved"],
    });
    expect(answer.refused).toEqual([]);
    expect(answer.cleaned.map((c) => c.branch)).toEqual(["agent/demo/moved"]);
    expect(await stack.repo.git(["rev-parse", answer.cleaned[0]?.snapshotRef ?? ""])).toBe(answer.cleaned[0]?.snapshotSha);
  });
});
