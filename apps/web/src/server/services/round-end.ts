import { isTerminalRunState } from "@grove/core";
import { applyMergeRequestEvent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";
import { branchStatusOf } from "./merge-checks.ts";

type Deps = { db: Db; hub: Hub };

/**
 * A round ended without a request of its own (no changes, failed, needs input, cancelled, interrupted): the
 * earlier rounds' requests sent back to the agent no longer wait for anything. Each is open again for a
 * person while the branch still holds its head, and void once the round left the branch elsewhere.
 */
export async function settleEarlierRounds(deps: Deps, runId: string): Promise<void> {
  const run = await deps.db.run.findUnique({
    where: { id: runId },
    include: { session: { select: { runnerId: true, repoPath: true } }, _count: { select: { mergeRequests: true } } },
  });
  if (!run || run.round <= 1 || !isTerminalRunState(run.state) || run._count.mergeRequests > 0) return;
  const earlier = await deps.db.mergeRequest.findMany({
    where: {
      state: "changes_requested",
      run: { sessionId: run.sessionId, agent: run.agent, taskId: run.taskId, round: { lt: run.round } },
    },
    include: { run: { select: { sessionId: true, round: true } } },
  });
  if (earlier.length === 0) return;
  const head = await branchHeadAfter(deps.db, run);
  for (const mr of earlier) {
    const movedTo = head !== null && head !== mr.headSha ? head : null;
    const step = await applyMergeRequestEvent(deps.db, {
      id: mr.id,
      from: "changes_requested",
      event: movedTo ? "round_moved" : "round_ended",
      data: movedTo
        ? { stage: null, error: leftElsewhere(run, movedTo) }
        : { stage: null, decidedBy: null, decidedAt: null, comment: null },
      audit: () => ({
        actorType: "system",
        actorId: "hub",
        ...mergeRequestAudit(mr),
        details: { taskId: run.taskId, round: mr.run.round, byRunId: run.id, byRound: run.round, outcome: run.state, movedTo },
      }),
    });
    if (step.kind === "applied") deps.hub.broadcastChanged({ scope: "merges", id: mr.id });
  }
}

function leftElsewhere(run: { round: number; state: string }, movedTo: string): string {
  return `Round ${run.round} ended ${run.state} and left the branch at ${movedTo.slice(0, 12)}; nothing was merged. The branch is kept.`;
}

/**
 * Where the round left the branch: the head its report gave, else the radar's view of the idle branch seen
 * after the round was created; null when unknown (the request opens, and the radar or the approval voids it
 * if the branch did move).
 */
async function branchHeadAfter(
  db: Db,
  run: { headSha: string | null; branch: string; createdAt: Date; session: { runnerId: string; repoPath: string } },
): Promise<string | null> {
  if (run.headSha) return run.headSha;
  const status = await branchStatusOf(db, { ...run.session, branch: run.branch });
  return status && !status.live && status.updatedAt >= run.createdAt ? status.headSha : null;
}
