import type { TestHub } from "./test-hub.ts";

/** A merge request waiting for approval, as the hub would have opened it. */
export async function openMergeRequest(hub: TestHub, taskId: string) {
  const runner = await hub.db.runner.create({ data: { name: `r-${taskId}`, tokenHash: `hash-${taskId}` } });
  const session = await hub.db.agentSession.create({
    data: { id: `session-${taskId}`, runnerId: runner.id, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId,
      profile: "demo",
      prompt: "p",
      branch: `agent/demo/${taskId}`,
      state: "succeeded",
      testStatus: "passed",
      diffStat: " 1 file changed, 2 insertions(+)",
      result: JSON.stringify({ status: "done", summary: `Did ${taskId}`, learnings: [] }),
    },
  });
  const mr = await hub.db.mergeRequest.create({
    data: { runId: run.id, branch: run.branch, integration: "main", headSha: "a".repeat(40), state: "open" },
  });
  hub.server.hub.broadcastChanged({ scope: "merges", id: mr.id });
  await hub.server.deps.notifier.approvalsChanged();
  return mr;
}
