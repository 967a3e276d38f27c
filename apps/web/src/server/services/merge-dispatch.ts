import {
  DISPATCHED_MERGE_REQUEST_STATES,
  DomainError,
  ResultSchema,
  type MergeApproval,
  type MergeExecute,
  type Result,
} from "@grove/core";
import { applyMergeRequestEvent, applyMergeRequestEventToCurrent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

type MergeRequestWithRun = {
  id: string;
  runId: string;
  branch: string;
  integration: string;
  approvedSha: string | null;
  headSha: string;
  run: {
    sessionId: string;
    agent: string;
    taskId: string;
    worktreePath: string | null;
    result: string | null;
    session: { repoPath: string };
  };
};

/** What the runner needs to land an approved request (the RESULT travels along for the brain deposit). */
export function mergeExecutePayload(mr: MergeRequestWithRun, approval: MergeApproval): MergeExecute {
  return {
    mergeRequestId: mr.id,
    runId: mr.runId,
    repoPath: mr.run.session.repoPath,
    branch: mr.branch,
    integration: mr.integration,
    headSha: mr.approvedSha ?? mr.headSha,
    message: `Merge ${mr.run.agent} agent results (${mr.run.taskId})`,
    worktreePath: mr.run.worktreePath,
    sessionId: mr.run.sessionId,
    approval,
    result: storedResult(mr.run.result),
  };
}

/**
 * Sends an approved request (approved just now, or retried) to its runner's merge queue: merging once the
 * runner took it, open again (its approval cleared) when it could not.
 */
export async function handToMergeQueue(
  deps: { db: Db; hub: Hub },
  mr: MergeRequestWithRun & { run: { session: { runnerId: string } } },
  approval: MergeApproval,
): Promise<void> {
  const { db, hub } = deps;
  const ack = await hub.executeMerge(mr.run.session.runnerId, mergeExecutePayload(mr, approval));
  // Lost only when the runner's result came first; that result stands.
  await applyMergeRequestEvent(db, {
    id: mr.id,
    from: "approved",
    event: ack.ok ? "dispatch" : "dispatch_failed",
    data: ack.ok ? { stage: "queued" } : { approval: null, approvedSha: null, error: `Could not start the merge: ${ack.error}` },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  if (!ack.ok) throw new DomainError("RUNNER_OFFLINE", `The runner could not start the merge: ${ack.error}`);
}

/**
 * After a runner (re)connects: approved requests it never reported a result for are sent again. The runner
 * ignores one it is still working on, and a request whose head already landed comes back as merged.
 */
export async function resumeMerges(deps: { db: Db; hub: Hub }, runnerId: string): Promise<void> {
  const { db, hub } = deps;
  const pending = await db.mergeRequest.findMany({
    where: { state: { in: [...DISPATCHED_MERGE_REQUEST_STATES] }, run: { session: { runnerId } } },
    include: { run: { include: { session: true } } },
  });
  for (const mr of pending) {
    const user = mr.decidedBy ? await db.user.findUnique({ where: { id: mr.decidedBy }, select: { email: true } }) : null;
    const approval: MergeApproval = {
      kind: mr.approval === "auto" ? "auto" : "user",
      by: user?.email ?? mr.decidedBy ?? "unknown",
      ...(mr.comment ? { comment: mr.comment } : {}),
    };
    const ack = await hub.executeMerge(runnerId, mergeExecutePayload(mr, approval));
    if (!ack.ok) continue;
    const step = await applyMergeRequestEventToCurrent(db, {
      id: mr.id,
      event: "resend",
      audit: () => ({ actorType: "system", actorId: "hub", ...mergeRequestAudit(mr, mr.approvedSha), details: { runnerId } }),
    });
    if (step?.kind === "applied") hub.broadcastChanged({ scope: "merges", id: mr.id });
  }
}

function storedResult(text: string | null): Result | null {
  if (text === null) return null;
  try {
    const parsed = ResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
