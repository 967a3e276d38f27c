import { access } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "../../test-support/stack.ts";

let stack: TestStack;
let failedRunId = "";
let waitingRunId = "";

beforeAll(async () => {
  stack = await startTestStack();
  const session = await stack.caller.session.start({
    tasks: [
      { agent: "demo", taskId: "broken", prompt: "Write notes lines=3 fail" },
      { agent: "demo", taskId: "fine", prompt: "Write notes lines=3" },
    ],
  });
  [failedRunId = "", waitingRunId = ""] = session.runIds;
  await waitFor(
    async () => (await stack.db.run.findUnique({ where: { id: failedRunId } }))?.state === "failed",
    60_000,
    () => `failed run\n${stack.runnerOutput()}`,
  );
  await waitFor(
    () => stack.db.mergeRequest.findFirst({ where: { runId: waitingRunId, state: "open", run: { state: "succeeded" } } }),
    60_000,
    () => `open merge request\n${stack.runnerOutput()}`,
  );
});
afterAll(async () => {
  await stack.close();
});

describe("no dead ends", () => {
  it("shows each task's real outcome in the sessions list", async () => {
    const [session] = await stack.caller.session.list();
    expect(session?.runs.map((r) => [r.taskId, r.outcome])).toEqual([
      ["broken", "failed"],
      ["fine", "waiting"],
    ]);
  });

  it("lists a failed run's worktree on Health, never a waiting request's, and only an admin cleans it up, keeping a snapshot", async () => {
    const [repo] = await stack.caller.health.list();
    expect(repo?.error).toBeNull();
    const leftovers = repo?.report?.leftovers ?? [];
    expect(leftovers.map((l) => l.branch)).toEqual(["agent/demo/broken"]);
    const path = leftovers[0]?.path ?? "";
    await access(path);
    const input = { runnerId: stack.runnerId, repoPath: repo?.path ?? "", branches: ["agent/demo/broken", "agent/demo/fine"] };

    const viewer = stack.callerAs(await stack.addUser("viewer"));
    await expect(viewer.health.cleanup(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const approver = stack.callerAs(await stack.addUser("approver"));
    await expect(approver.health.cleanup(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await access(path);

    const answer = await stack.caller.health.cleanup(input);
    expect(answer.cleaned.map((c) => c.branch)).toEqual(["agent/demo/broken"]);
    expect(answer.refused).toEqual([{ branch: "agent/demo/fine", reason: expect.stringContaining("is open") as unknown }]);
    const snapshot = answer.cleaned[0];
    expect(await stack.repo.git(["rev-parse", snapshot?.snapshotRef ?? ""])).toBe(snapshot?.snapshotSha);
    expect(await stack.repo.git(["for-each-ref", "--format=%(refname:short)", "refs/heads/agent/"])).toBe("agent/demo/fine");
    await expect(access(path)).rejects.toThrow();

    const audit = await stack.db.auditEvent.findFirst({ where: { action: "worktree.cleaned_up" } });
    expect(audit).toMatchObject({ actorId: stack.admin.email, branch: "agent/demo/broken", sha: snapshot?.snapshotSha });
    const [after] = await stack.caller.health.list();
    expect(after?.report?.leftovers).toEqual([]);
  });

  it("lets an approver reject a blocked request, and says why it is blocked", async () => {
    await stack.caller.session.start({ tasks: [{ agent: "demo", taskId: "brainy", prompt: "brain lines=1" }] });
    const mr = await waitFor(
      () => stack.db.mergeRequest.findFirst({ where: { branch: "agent/demo/brainy", state: "blocked" } }),
      60_000,
      () => `blocked request\n${stack.runnerOutput()}`,
    );
    const [card] = (await stack.caller.approval.list({ filter: "waiting" })).filter((a) => a.id === mr.id);
    expect(card?.blockedReason).toMatch(/brain policy/);
    const viewer = stack.callerAs(await stack.addUser("viewer"));
    await expect(viewer.approval.reject({ id: mr.id, comment: "no" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const leftoverBranches = async () => ((await stack.caller.health.list())[0]?.report?.leftovers ?? []).map((l) => l.branch);
    // Waiting for its decision (reject, or send back): not a leftover yet.
    expect(await leftoverBranches()).not.toContain("agent/demo/brainy");
    await stack.caller.approval.reject({ id: mr.id, comment: "Agents do not write the brain" });
    expect(await leftoverBranches()).toContain("agent/demo/brainy");
    expect((await stack.db.mergeRequest.findUnique({ where: { id: mr.id } }))?.state).toBe("rejected");
    const [session] = await stack.caller.session.list();
    expect(session?.runs.map((r) => r.outcome)).toEqual(["rejected"]);
  });

  it("abandons a request whose merge conflicted: its work kept under refs/grove/, worktree and branch gone, audited", async () => {
    await stack.caller.session.start({
      tasks: [
        { agent: "demo", taskId: "one", prompt: "conflict lines=1" },
        { agent: "demo", taskId: "two", prompt: "conflict lines=1" },
      ],
    });
    const open = (taskId: string) =>
      waitFor(
        () => stack.db.mergeRequest.findFirst({ where: { branch: `agent/demo/${taskId}`, state: "open" } }),
        60_000,
        () => `open request of ${taskId}\n${stack.runnerOutput()}`,
      );
    const [one, two] = [await open("one"), await open("two")];
    const settled = (id: string, state: string) =>
      waitFor(
        async () => (await stack.db.mergeRequest.findUnique({ where: { id } }))?.state === state,
        60_000,
        () => stack.runnerOutput(),
      );
    await stack.caller.approval.approve({ id: one.id, sha: one.headSha });
    await settled(one.id, "merged");
    await stack.caller.approval.approve({ id: two.id, sha: two.headSha });
    await settled(two.id, "failed");
    const [session] = await stack.caller.session.list();
    expect(session?.runs.map((r) => r.outcome)).toEqual(["landed", "merge_conflict"]);

    await expect(stack.callerAs(await stack.addUser("viewer")).approval.abandon({ id: two.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(stack.caller.approval.abandon({ id: one.id })).rejects.toThrow(/only one whose merge failed/);
    const kept = await stack.caller.approval.abandon({ id: two.id });
    expect(await stack.repo.git(["rev-parse", `${kept.snapshotRef}^{commit}`])).toBe(kept.snapshotSha);
    expect(await stack.repo.git(["merge-base", "--is-ancestor", two.headSha, kept.snapshotSha]).then(() => true)).toBe(true);
    expect(await stack.repo.git(["for-each-ref", "--format=%(refname)", "refs/heads/agent/demo/two"])).toBe("");
    const abandoned = await stack.db.mergeRequest.findUniqueOrThrow({ where: { id: two.id } });
    expect(abandoned.snapshotRef).toBe(kept.snapshotRef);
    expect(abandoned.error).toMatch(/^Merge conflict in shared\.txt/);
    expect(abandoned.error).not.toContain("The branch is kept");
    expect(abandoned.error).toContain(`Abandoned: its work is kept as ${kept.snapshotRef}`);
    const [after] = await stack.caller.session.list();
    expect(after?.runs.map((r) => r.outcome)).toEqual(["landed", "abandoned"]);
    const audit = await stack.db.auditEvent.findFirst({ where: { action: "merge.abandoned", subject: two.id } });
    expect(audit).toMatchObject({ actorId: stack.admin.email, branch: "agent/demo/two", sha: kept.snapshotSha });
    await expect(stack.caller.approval.abandon({ id: two.id })).rejects.toThrow(/abandoned already/);
  });
});
