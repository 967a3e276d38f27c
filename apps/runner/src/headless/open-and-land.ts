import { agentBranch } from "@grove/core";
import { landPendingMerge, type LandPendingDeps } from "../merge/land-pending-merge.ts";
import { savePendingMerge, type PendingMerge } from "../merge/pending-merges.ts";
import type { HeadlessTask } from "./headless-session.ts";

type OpenDeps = LandPendingDeps & { approve: "auto" | "manual"; aborted: () => boolean };

/**
 * A run that succeeded with a head gets its merge request, also when the user asked to stop. Only a tested
 * head (or one of a repository that declares it has no tests) is approved by a machine, and none once the user
 * asked to stop: such a run keeps its merge request (`grove approve`), and a merge already landing finishes
 * first, so no tree is left half merged.
 */
export async function openAndLand(
  task: HeadlessTask,
  session: { sessionId: string; repo: string; integration: string },
  deps: OpenDeps,
): Promise<void> {
  const report = task.report;
  if (task.state !== "succeeded" || !report?.headSha) return;
  const pending: PendingMerge = {
    runId: task.runId,
    sessionId: session.sessionId,
    repo: session.repo,
    integration: session.integration,
    branch: agentBranch(task.agent, task.taskId),
    agent: task.agent,
    taskId: task.taskId,
    headSha: report.headSha,
    baseSha: report.baseSha,
    commits: report.commits,
    tests: report.test.status,
    result: report.result,
    openedAt: Date.now(),
    state: "waiting",
  };
  await savePendingMerge(deps.dataDir, pending);
  task.waiting = pending;
  if (deps.aborted()) return;
  if (deps.approve !== "auto" || (report.test.status !== "passed" && report.test.status !== "none")) return;
  const outcome = await landPendingMerge(deps, pending, { kind: "auto", by: "grove session run" });
  if (outcome === null) return; // withdrawn from the queue when the user asked to stop: it keeps waiting
  task.merge = outcome;
  task.waiting = null;
}
