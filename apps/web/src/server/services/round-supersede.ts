import { applyMergeRequestEvent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

/**
 * A later round's head got its own request: the earlier rounds' requests that were sent back to the agent
 * are superseded by it, each audited with the request and round that replaced it.
 */
export async function supersedeEarlierRounds(
  deps: { db: Db; hub: Hub },
  run: { id: string; sessionId: string; agent: string; taskId: string; round: number },
  newRequestId: string,
): Promise<void> {
  if (run.round <= 1) return;
  const earlier = await deps.db.mergeRequest.findMany({
    where: {
      state: "changes_requested",
      run: { sessionId: run.sessionId, agent: run.agent, taskId: run.taskId, round: { lt: run.round } },
    },
    include: { run: { select: { sessionId: true, round: true } } },
  });
  for (const mr of earlier) {
    const step = await applyMergeRequestEvent(deps.db, {
      id: mr.id,
      from: "changes_requested",
      event: "supersede",
      audit: () => ({
        actorType: "system",
        actorId: "hub",
        ...mergeRequestAudit(mr),
        details: { by: newRequestId, byRunId: run.id, taskId: run.taskId, round: mr.run.round, byRound: run.round },
      }),
    });
    if (step.kind === "applied") deps.hub.broadcastChanged({ scope: "merges", id: mr.id });
  }
}
