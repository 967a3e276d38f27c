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
});
